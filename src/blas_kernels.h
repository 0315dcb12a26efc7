/* blas_kernels.h: the BLAS kernels lwq runs on, chosen once at start-up. */
#ifndef LWQ_BLAS_KERNELS_H
#define LWQ_BLAS_KERNELS_H

#include <stdio.h>

/* When OpenBLAS fell back to a generic core on a CPU with AVX2+FMA or AVX-512, sets
   OPENBLAS_CORETYPE to the matching core; when it runs more than one thread, sets
   OPENBLAS_THREAD_TIMEOUT so that idle BLAS threads soon sleep; then re-executes the
   program with argv (only returns if that is impossible or nothing needs setting).
   Never touches a value the user set. Call first in main, before any thread starts. */
void blas_pick_kernels(char **argv);

/* Threads the BLAS runs on (at least 1): lwq's own parallel loops use as many. */
int blas_thread_count(void);

/* One line: "BLAS: OpenBLAS 0.3.21, core SkylakeX, 2 threads (...)". */
void blas_describe(FILE *out);

#endif
