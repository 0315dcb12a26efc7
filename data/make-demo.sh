#!/bin/sh
# make-demo.sh: regenerate data/demo.h5 from the lwq-demo-16L model, with lwq itself.
# Usage: data/make-demo.sh LWQ_BINARY SHARED_MODELS_DIR OUTPUT.h5
set -eu
LWQ=${1:?lwq binary}
SRC=${2:?path to shared/data/models}/lwq-demo-16L
OUT=${3:?output file}
IDS=$SRC/heldout.ids.i32
TMP=$OUT.building
rm -f "$TMP"
"$LWQ" --quiet import "$SRC" -o "$TMP" --name lwq-demo-16L
# Calibration: ids [0, 8192) as 16 windows of 512. Raw streams are left out to keep
# the file small; the per-token cosines and input statistics are kept.
"$LWQ" --quiet capture "$TMP" --ids "$IDS" --offset 0 --windows 16 --seq-len 512 --keep-streams none
"$LWQ" --quiet score "$TMP" --group-size 32 >/dev/null
# Evaluation: ids [8192, 24576) as 32 windows of 512, every order, one layer per step.
"$LWQ" --quiet sweep "$TMP" --ids "$IDS" --offset 8192 --windows 32 --seq-len 512 \
	--group-size 32 --high 4 --low 2 --step 1 \
	--orders lim,zd,zd-inverse,reverse-lim,random:1,prune >/dev/null
if command -v h5repack >/dev/null 2>&1; then
	h5repack -f GZIP=9 "$TMP" "$TMP.packed" && mv "$TMP.packed" "$TMP"
fi
mv "$TMP" "$OUT"
