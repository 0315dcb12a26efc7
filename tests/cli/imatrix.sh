#!/bin/sh
# imatrix.sh: lwq export --imatrix-out writes llama.cpp's importance matrix from capture's
# statistics (checked field by field against the model file), plan --emit llama-quantize
# passes it on, and llama-quantize (when built) reads it.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model
need_cmd python3 h5dump

mkdir "$WORK/outdir"
fails_with "--imatrix-out before any capture" 1 "run lwq capture" \
	"$LWQ" export "$MODEL" --imatrix-out "$WORK/outdir/m.imatrix"
check "... leaves nothing behind" sh -c "[ -z \"\$(ls -A '$WORK/outdir')\" ]"

ok "capture 3 windows of 64" "$LWQ" --quiet capture "$MODEL" --ids "$IDS" --windows 3 \
	--seq-len 64 --keep-streams none
ok "export --imatrix-out alone" "$LWQ" export "$MODEL" --imatrix-out "$WORK/m.imatrix"
fails_with "an existing imatrix is kept without --force" 1 "exists" \
	"$LWQ" export "$MODEL" --imatrix-out "$WORK/m.imatrix"
ok "h5dump of layer 2's down statistics" h5dump -d /activations/input_sq/002/down -b LE \
	-o "$WORK/down2.bin" "$MODEL"
check "the file has llama.cpp's layout and capture's means times the call count" python3 -c "
import struct
b = open('$WORK/m.imatrix', 'rb').read()
n, = struct.unpack_from('<i', b, 0); off = 4
names = []
for i in range(n):
    l, = struct.unpack_from('<i', b, off); off += 4
    name = b[off:off + l].decode(); off += l
    ncall, nval = struct.unpack_from('<ii', b, off); off += 8
    vals = struct.unpack_from('<%df' % nval, b, off); off += 4 * nval
    names.append(name)
    assert ncall == 3, ncall
    if name == 'blk.2.ffn_down.weight':
        sq = struct.unpack('<352f', open('$WORK/down2.bin', 'rb').read())
        assert nval == 352
        for v, s in zip(vals, sq):
            assert abs(v - s * 3 / 192) <= 1e-6 * max(1.0, abs(v)), (v, s)
chunks, dl = struct.unpack_from('<ii', b, off); off += 8
assert chunks == 3 and b[off:off + dl].decode().startswith('ids:') and off + dl == len(b)
assert n == 16 * 7 and names[:7] == ['blk.0.' + t + '.weight' for t in
    ('attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down')]
"
ok "plan --emit llama-quantize" "$LWQ" plan "$MODEL" --high-layers 8 --emit llama-quantize
check "... passes the recorded imatrix" grep -q "^  --imatrix '.*/m.imatrix' \\\\$" "$WORK/out"

# llama.cpp's tool from $LLAMA_QUANTIZE or the PATH
QUANTIZE=${LLAMA_QUANTIZE:-$(command -v llama-quantize)}
[ -n "$QUANTIZE" ] && [ -x "$QUANTIZE" ] || skip_rest "llama-quantize not found (set LLAMA_QUANTIZE)"
ok "an F16 GGUF" "$LWQ" --quiet export "$MODEL" --format gguf --f16 -o "$WORK/f16.gguf"
ok "llama-quantize --imatrix reads it" "$QUANTIZE" --imatrix "$WORK/m.imatrix" \
	"$WORK/f16.gguf" "$WORK/q4.gguf" Q4_0
check "... all 112 entries, 3 chunks" grep -q "loaded 112 importance matrix entries from .* computed on 3 chunks" "$WORK/out" "$WORK/err"
done_testing
