#!/usr/bin/env python3
"""gen_tokenizer_cases.py: writes tests/unit/tokenizer_cases.json, one tokenizer.json
component or option per case with the ids and decoded text of the Hugging Face
tokenizers library (its Node binding, npm package "tokenizers" 0.23.2, found through
NODE_PATH). Usage: NODE_PATH=DIR/node_modules gen_tokenizer_cases.py OUT.json"""
import json
import subprocess
import sys
# One case per component setting the shared tokenizer files do not exercise.
TEXTS = ["Hello world, it's 2024-12-01! ÀÉÎ ﬁne ｆｕｌｌ ① x² café",
         "  don't   STOP  at 3.14159; naïve (paren) [x]\t\ttabs\nnew lines  ",
         "İstanbul ΣΟΦΙΑ straße e\u0301 100% #tag a_b <s> </s> <unk> end"]
def base(prefix=None, suffix=None, extra_merges=()):
    chars = sorted(set("".join(TEXTS)) | {"\u2581"})
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    vocab = list(toks)
    for c in chars:
        vocab.append(c)
        if prefix: vocab.append(prefix + c)
        if suffix: vocab.append(c + suffix)
    merges = []
    pairs = [("H", "e"), ("He", "l"), ("Hel", "l"), ("l", "o"), ("w", "o"), ("wo", "r"), ("t", "h"),
             ("\u2581", "t"), ("\u2581", "d"), ("o", "n"), ("i", "n"), ("2", "0"), ("1", "4"),
             ("s", "t"), ("e", "n"), ("a", "b"), ("ab", "c")] + list(extra_merges)
    p = len(prefix) if prefix else 0
    for a, b in pairs:
        if prefix:
            b = prefix + b
        new = a + b[p:]
        for t in (a, b, new):
            if t not in vocab: vocab.append(t)
        merges.append([a, b])
    return {t: i for i, t in enumerate(dict.fromkeys(vocab))}, merges
def tok(pre=None, norm=None, model_opts=None, added=None, post=None, dec=None, prefix=None, suffix=None, string_merges=False):
    vocab, merges = base(prefix, suffix)
    model = {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": prefix,
             "end_of_word_suffix": suffix, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
             "vocab": vocab, "merges": [a + " " + b for a, b in merges] if string_merges else merges}
    model.update(model_opts or {})
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added or [],
            "normalizer": norm, "pre_tokenizer": pre, "post_processor": post, "decoder": dec, "model": model}
def split(pat, beh, inv=False, regex=True):
    return {"type": "Split", "pattern": {"Regex" if regex else "String": pat}, "behavior": beh, "invert": inv}
def ms(scheme, sp): return {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme, "split": sp}
A = lambda c, **kw: dict({"id": 0, "content": c, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}, **kw)
cases = [
 ("Digits individual", tok({"type": "Digits", "individual_digits": True})),
 ("Digits contiguous", tok({"type": "Digits", "individual_digits": False})),
 ("Punctuation isolated", tok({"type": "Punctuation", "behavior": "Isolated"})),
 ("Punctuation contiguous", tok({"type": "Punctuation", "behavior": "Contiguous"})),
 ("Whitespace", tok({"type": "Whitespace"})),
 ("WhitespaceSplit", tok({"type": "WhitespaceSplit"})),
 ("CharDelimiterSplit", tok({"type": "CharDelimiterSplit", "delimiter": "o"})),
 ("Metaspace always split", tok(ms("always", True))),
 ("Metaspace first no split", tok(ms("first", False))),
 ("Metaspace never split", tok(ms("never", True))),
 ("Split regex Removed", tok(split(r"\s+", "Removed"))),
 ("Split regex MergedWithPrevious", tok(split(r"\s+", "MergedWithPrevious"))),
 ("Split regex MergedWithNext", tok(split(r"\p{P}", "MergedWithNext"))),
 ("Split regex Contiguous", tok(split(r"[aeiou]", "Contiguous"))),
 ("Split regex invert", tok(split(r"\w+", "Isolated", True))),
 ("Split string MergedWithNext", tok(split(" ", "MergedWithNext", regex=False))),
 ("Split string invert Removed", tok(split("o", "Removed", True, regex=False))),
 ("Split regex \\b empty matches", tok(split(r"\b", "Isolated"))),
 ("NFKC", tok({"type": "WhitespaceSplit"}, {"type": "NFKC"})),
 ("NFKD + StripAccents", tok({"type": "WhitespaceSplit"}, {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"}]})),
 ("NFD", tok({"type": "WhitespaceSplit"}, {"type": "NFD"})),
 ("Lowercase", tok({"type": "WhitespaceSplit"}, {"type": "Lowercase"})),
 ("Strip both", tok(None, {"type": "Strip", "strip_left": True, "strip_right": True})),
 ("Strip left", tok(None, {"type": "Strip", "strip_left": True, "strip_right": False})),
 ("Replace regex + Prepend", tok(None, {"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": "\u2581"}, {"type": "Prepend", "prepend": "\u2581"}]})),
 ("merges as strings", tok({"type": "WhitespaceSplit"}, string_merges=True)),
 ("fuse_unk", tok({"type": "WhitespaceSplit"}, model_opts={"fuse_unk": True})),
 ("no unk: unknown dropped", tok({"type": "WhitespaceSplit"}, model_opts={"unk_token": None})),
 ("byte_fallback", tok({"type": "WhitespaceSplit"}, model_opts={"byte_fallback": True})),
 ("ignore_merges", tok({"type": "WhitespaceSplit"}, model_opts={"ignore_merges": True})),
 ("continuing_subword_prefix ##", tok({"type": "WhitespaceSplit"}, prefix="##")),
 ("end_of_word_suffix </w>", tok({"type": "WhitespaceSplit"}, suffix="</w>")),
 ("added lstrip/rstrip", tok({"type": "WhitespaceSplit"}, added=[A("<s>", id=1, lstrip=True, rstrip=True)])),
 ("added single_word", tok({"type": "WhitespaceSplit"}, added=[A("a_b", id=99999, single_word=True), A("end", id=99999, single_word=True)])),
 ("added normalized under Lowercase", tok({"type": "WhitespaceSplit"}, {"type": "Lowercase"}, added=[A("STOP", id=99999, normalized=True, special=False)])),
 ("Bert/Roberta post-processor", tok({"type": "WhitespaceSplit"}, post={"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1], "trim_offsets": True, "add_prefix_space": False})),
]
out = []
for name, t in cases:
    # added token ids as the library gives them (model vocab size onward)
    nxt = len(t["model"]["vocab"])
    for a in t["added_tokens"]:
        if a["content"] in t["model"]["vocab"]: a["id"] = t["model"]["vocab"][a["content"]]
        else: a["id"] = nxt; nxt += 1
    out.append({"name": name, "tok": json.dumps(t, ensure_ascii=False, separators=(",", ":")), "texts": TEXTS})

ORACLE = r"""
const { Tokenizer } = require('tokenizers');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const res = [];
  for (const c of cases) {
    const t = Tokenizer.fromString(c.tok), r = {plain: [], special: [], decoded: []};
    for (const text of c.texts) {
      const a = await t.encode(text, null, {addSpecialTokens: false});
      const b = await t.encode(text, null, {addSpecialTokens: true});
      r.plain.push(Array.from(a.getIds()));
      r.special.push(Array.from(b.getIds()));
      r.decoded.push(await t.decode(Array.from(b.getIds()), false));
    }
    res.push(r);
  }
  process.stdout.write(JSON.stringify(res));
})();
"""
refs = json.loads(subprocess.run(["node", "-e", ORACLE], input=json.dumps(out), text=True,
                                 capture_output=True, check=True).stdout)
vocabs, merges, doc_cases = {}, {}, []
for c, r in zip(out, refs):
    t = json.loads(c["tok"])
    m = t["model"]
    key = m["continuing_subword_prefix"] or m["end_of_word_suffix"] or "plain"
    as_strings = isinstance(m["merges"][0], str)
    if key not in vocabs:
        vocabs[key] = m["vocab"]
        merges[key] = [x.split(" ") for x in m["merges"]] if as_strings else m["merges"]
    del m["vocab"], m["merges"]
    doc_cases.append({"name": c["name"], "vocab": key, "merges_as_strings": as_strings,
                      "tokenizer": t, "plain": r["plain"], "special": r["special"],
                      "decoded": r["decoded"]})
doc = {"about": "Cases for tests/unit/test_tokenizer_cases.c: one tokenizer.json component or "
       "option each, with the ids and decoded text of the Hugging Face tokenizers library "
       "0.23.2 (written by tests/unit/gen_tokenizer_cases.py)",
       "texts": TEXTS, "vocabs": vocabs, "merges": merges, "cases": doc_cases}
with open(sys.argv[1], "w") as f:
    json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
