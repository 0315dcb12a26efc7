/* blas_kernels.c: make OpenBLAS use the kernels this CPU can run, and describe the BLAS. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "blas_kernels.h"

/* Names OpenBLAS's DYNAMIC_ARCH accepts in OPENBLAS_CORETYPE. */
#define CORE_AVX512_BF16 "Cooperlake"
#define CORE_AVX512      "SkylakeX"
#define CORE_AVX2        "Haswell"

/* Set in the environment of the re-executed process only, so it can say why the core
   changed; the value is the core the library picked on its own. */
#define MARK_VAR "LWQ_BLAS_CORE_DETECTED"

static char detected_core[64];   /* non-empty when this process runs on lwq's choice */

#if defined(__x86_64__) || defined(__i386__)
/* The AVX state bits the OS enables in XCR0: without them the instructions fault even
   when cpuid lists them (e.g. a kernel booted with AVX-512 disabled). */
static unsigned long long xcr0(void)
{
	unsigned int lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((unsigned long long)hi << 32) | lo;
}

/* The OPENBLAS_CORETYPE matching this CPU's widest usable vector unit, or NULL. */
static const char *core_for_cpu(void)
{
	unsigned int a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return NULL;
	int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
	if (!osxsave || !avx || !fma)
		return NULL;
	unsigned long long x = xcr0();
	if ((x & 0x6) != 0x6)          /* XMM and YMM state */
		return NULL;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return NULL;
	int avx2 = (b >> 5) & 1;
	int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) &&   /* F, DQ */
		     ((b >> 30) & 1) && ((b >> 31) & 1);      /* BW, VL: the SkylakeX set */
	if (avx512 && (x & 0xe0) == 0xe0) {  /* opmask, ZMM_Hi256, Hi16_ZMM state */
		unsigned int a1 = 0, b1, c1, d1;
		__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1);
		return (a1 >> 5) & 1 ? CORE_AVX512_BF16 : CORE_AVX512;
	}
	return avx2 ? CORE_AVX2 : NULL;
}
#else
static const char *core_for_cpu(void)
{
	return NULL;
}
#endif

/* True for the cores OpenBLAS falls back to when it does not know the CPU: everything
   before the AVX2 generation. A core it chose on purpose (Haswell, Zen, SkylakeX, ...) is
   left alone. */
static int core_is_generic(const char *core)
{
	static const char *const tuned[] = {
		"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", NULL,
	};
	for (int i = 0; tuned[i]; i++)
		if (strcasecmp(core, tuned[i]) == 0)
			return 0;
	return 1;
}

/* Idle OpenBLAS threads spin (yielding) for 2^OPENBLAS_THREAD_TIMEOUT cycles after each
   product before they sleep: 2^28 by default, a tenth of a second, which covers all of
   the forward pass's own threaded work between the products (norms, RoPE, attention,
   SiLU), so a 2-core machine runs three threads on two cores. 2^16 cycles (tens of
   microseconds) still covers back-to-back products. */
#define THREAD_TIMEOUT "16"
#define TIMEOUT_MARK_VAR "LWQ_BLAS_TIMEOUT_SET"

static int timeout_set_by_lwq;

/* Restarts this program with the variables now set; returns only when it cannot. */
static void restart(char **argv)
{
	/* The resolved path, not /proc/self/exe itself, so the process keeps its name
	   ("lwq", not "exe") for ps, top and pgrep. */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = 0;
		execv(self, argv);
	}
}

void blas_pick_kernels(char **argv)
{
	const char *mark = getenv(MARK_VAR);
	if (mark) {
		snprintf(detected_core, sizeof detected_core, "%s", mark);
		unsetenv(MARK_VAR);
	}
	if (getenv(TIMEOUT_MARK_VAR)) {
		timeout_set_by_lwq = 1;
		unsetenv(TIMEOUT_MARK_VAR);
	}
	if (mark || timeout_set_by_lwq)        /* this is the restarted process */
		return;
	/* OpenBLAS reads both variables when the library is loaded, before main: the only
	   way to change them is to start again with them set. A value the user set, even
	   an empty one, is kept. */
	const char *core = openblas_get_corename();
	const char *want = core_for_cpu();
	int set_core = !getenv("OPENBLAS_CORETYPE") && core && want && core_is_generic(core);
	int set_timeout = !getenv("OPENBLAS_THREAD_TIMEOUT") && openblas_get_num_threads() > 1;
	if (!set_core && !set_timeout)
		return;
	int failed = (set_core && (setenv("OPENBLAS_CORETYPE", want, 1) != 0 ||
				   setenv(MARK_VAR, core, 1) != 0)) ||
		     (set_timeout && (setenv("OPENBLAS_THREAD_TIMEOUT", THREAD_TIMEOUT, 1) != 0 ||
				      setenv(TIMEOUT_MARK_VAR, "1", 1) != 0));
	if (!failed)
		restart(argv);
	/* No /proc, exec refused or no room in the environment: take back what was set
	   and run on as loaded, same results. */
	if (set_core) {
		unsetenv("OPENBLAS_CORETYPE");
		unsetenv(MARK_VAR);
	}
	if (set_timeout) {
		unsetenv("OPENBLAS_THREAD_TIMEOUT");
		unsetenv(TIMEOUT_MARK_VAR);
	}
}

int blas_thread_count(void)
{
	int n = openblas_get_num_threads();
	return n < 1 ? 1 : n;
}

void blas_describe(FILE *out)
{
	/* openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." */
	char name[64] = "OpenBLAS", version[64] = "";
	sscanf(openblas_get_config(), "%63s %63s", name, version);
	fprintf(out, "BLAS: %s %s, core %s, %d thread%s", name, version, openblas_get_corename(),
		openblas_get_num_threads(), openblas_get_num_threads() == 1 ? "" : "s");
	if (detected_core[0])
		fprintf(out, " (OPENBLAS_CORETYPE set by lwq; the library detected %s)",
			detected_core);
	else if (getenv("OPENBLAS_CORETYPE"))
		fprintf(out, " (OPENBLAS_CORETYPE=%s from the environment)",
			getenv("OPENBLAS_CORETYPE"));
	fputc('\n', out);
	if (openblas_get_num_threads() > 1 && timeout_set_by_lwq)
		fprintf(out, "BLAS threads: idle threads sleep after 2^%s cycles "
			"(OPENBLAS_THREAD_TIMEOUT set by lwq)\n", THREAD_TIMEOUT);
	else if (openblas_get_num_threads() > 1 && getenv("OPENBLAS_THREAD_TIMEOUT"))
		fprintf(out, "BLAS threads: OPENBLAS_THREAD_TIMEOUT=%s from the environment\n",
			getenv("OPENBLAS_THREAD_TIMEOUT"));
}
