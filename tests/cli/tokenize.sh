#!/bin/sh
# tokenize.sh: lwq tokenize on tiny models carrying the real tokenizers of three families
# (ids equal to the Hugging Face library's for three texts, plain and --special), ids
# back to text, BOS decided at import, and bad inputs refused with one line.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3 cmp
need_shared
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"
TOK="$SHARED_DATA/tokenizers"

# family vocabulary architecture
for spec in "mistral 32000 MistralForCausalLM" "llama3 128256 LlamaForCausalLM" \
	    "qwen3 151669 Qwen2ForCausalLM"; do
	set -- $spec
	fam=$1
	$MK "$WORK/$fam" arch="$3" set=vocab_size:"$2" tokenizer="$TOK/$fam"
	ok "$fam: import a tiny model with its tokenizer" "$LWQ" --quiet import "$WORK/$fam" \
		-o "$WORK/$fam.h5"
	for text in heldout wiki stress1; do
		for kind in plain special; do
			flag=""
			[ $kind = special ] && flag=--special
			rm -f "$WORK/ids.i32"
			"$LWQ" tokenize "$WORK/$fam.h5" --text "$TOK/texts/$text.txt" $flag \
				-o "$WORK/ids.i32" 2>"$WORK/err"
			check "$fam $text.$kind: every id equals the library's" \
				cmp -s "$WORK/ids.i32" "$TOK/$fam/$text.$kind.i32"
		done
	done
	"$LWQ" tokenize "$WORK/$fam.h5" --decode "$TOK/$fam/heldout.plain.i32" -o "$WORK/back.txt"
	check "$fam: --decode gives the text back" cmp -s "$WORK/back.txt" "$TOK/texts/heldout.txt"
done

ok "info names the tokenizer" "$LWQ" info "$WORK/qwen3.h5"
check "... kind, size and pattern" \
	grep -q "^tokenizer  *byte-level BPE, 151669 tokens, pattern qwen2" "$WORK/out"
ok "info of the Mistral model" "$LWQ" info "$WORK/mistral.h5"
check "... BOS from tokenizer_config.json" \
	grep -q "^BOS  *id 1 starts every --text window (from tokenizer_config.json)" "$WORK/out"
ok "info --json" "$LWQ" info --json "$WORK/llama3.h5"
check "... tokenizer fields" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tokenizer"]
assert t["description"] == "byte-level BPE" and t["vocab_size"] == 128256
assert t["pattern_family"] == "llama3" and t["bos_id"] is None' "$WORK/out"

printf 'Hello world' >"$WORK/hello.txt"
ok "ids on stdout" "$LWQ" tokenize "$WORK/llama3.h5" --text "$WORK/hello.txt"
check "... as the library gives them" grep -qx "9906 1917" "$WORK/out"
ok "--stdin --json" sh -c "printf 'Hello world' | '$LWQ' tokenize '$WORK/mistral.h5' --stdin \
	--special --json"
check "... with the BOS the post-processor adds" grep -q '"ids":\[1,22557,1526\]' "$WORK/out"

# ---- bad input: one line, exit 1, no output file ----------------------------------------
printf 'ok\n\377 after' >"$WORK/bad.txt"
fails_with "text that is not UTF-8" 1 "bad.txt: not valid UTF-8 at byte offset 3" \
	"$LWQ" tokenize "$WORK/qwen3.h5" --text "$WORK/bad.txt" -o "$WORK/bad.i32"
check "... no output file" [ ! -e "$WORK/bad.i32" ]
printf '\001\000\000\000\377\377\377\177' >"$WORK/far.i32"
fails_with "--decode of an id out of range" 1 \
	"far.i32: id 2147483647 at position 1 is not in the vocabulary (128256 ids)" \
	"$LWQ" tokenize "$WORK/llama3.h5" --decode "$WORK/far.i32" -o "$WORK/far.txt"
check "... no output file" [ ! -e "$WORK/far.txt" ]
printf '\001\000\000' >"$WORK/odd.i32"
fails_with "--decode of a file of 3 bytes" 1 "odd.i32: size 3 is not a multiple of 4" \
	"$LWQ" tokenize "$WORK/llama3.h5" --decode "$WORK/odd.i32"
fails_with "two sources" 2 "give exactly one of --text, --stdin and --decode" \
	"$LWQ" tokenize "$WORK/llama3.h5" --text "$WORK/hello.txt" --stdin

# Import refuses a tokenizer.json it cannot follow exactly, naming the file and the part.
edit_tok() { # edit_tok NAME PYTHON: a copy of the qwen3 model dir whose tokenizer.json
	# (loaded as `t`) PYTHON edits
	cp -r "$WORK/qwen3" "$WORK/$1"
	python3 - "$WORK/$1/tokenizer.json" "$2" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(t, open(sys.argv[1], "w"))
PY
}
import_fails() { # import_fails DESCRIPTION PATTERN NAME
	fails_with "$1" 1 "$2" "$LWQ" import "$WORK/$3" -o "$WORK/$3.h5"
	check "$1: no model file" [ ! -e "$WORK/$3.h5" ]
}
edit_tok unknown 't["pre_tokenizer"]["pretokenizers"][0]["type"] = "UnicodeScripts"'
import_fails "an unknown pre-tokenizer" \
	"tokenizer.json: unsupported pre_tokenizer 'UnicodeScripts'" unknown
edit_tok regex 't["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(?i:s|[a-"'
import_fails "an invalid regex (PCRE2's message and offset)" \
	"invalid regex '(?i:s|\[a-': missing terminating \] for character class at offset 9" regex
edit_tok merges 't["model"]["merges"][5] = ["Ġ", "no-such-token"]'
import_fails "a merge naming a token the vocabulary lacks" \
	"model.merges\[5\]: token 'no-such-token' is not in the vocabulary" merges
edit_tok decoder 't["decoder"] = {"type": "CTC"}'
import_fails "an unknown decoder" "unsupported decoder 'CTC'" decoder
$MK "$WORK/small" arch=Qwen2ForCausalLM set=vocab_size:151000 tokenizer="$TOK/qwen3"
import_fails "a vocabulary larger than the model's embedding" \
	"token ids reach 151668 but the model's vocabulary has 151000 entries" small

done_testing
