/* font.c: fontconfig lookup and FreeType glyph rendering into a canvas. */
#include "font.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct font {
	FT_Library lib;
	FT_Face face;
	char family[128];
	char file[1024];
	double cap_em, descent_em;     /* per em, from the font's own tables */
};

/* fontconfig's best match for pattern, as a file name and face index; -1 when none. */
static int find_font_file(const char *pattern, char *file, size_t n, int *index,
			  char *family, size_t family_n)
{
	if (!FcInit())
		return -1;
	FcPattern *pat = FcNameParse((const FcChar8 *)pattern);
	if (!pat) {
		FcFini();
		return -1;
	}
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	FcResult result;
	FcPattern *match = FcFontMatch(NULL, pat, &result);
	FcPatternDestroy(pat);
	if (!match) {
		FcFini();
		return -1;
	}
	FcChar8 *path = NULL, *fam = NULL;
	int rc = -1;
	if (FcPatternGetString(match, FC_FILE, 0, &path) == FcResultMatch) {
		snprintf(file, n, "%s", (const char *)path);
		if (FcPatternGetInteger(match, FC_INDEX, 0, index) != FcResultMatch)
			*index = 0;
		if (FcPatternGetString(match, FC_FAMILY, 0, &fam) == FcResultMatch)
			snprintf(family, family_n, "%s", (const char *)fam);
		rc = 0;
	}
	FcPatternDestroy(match);
	FcFini();                  /* only the file name is kept: give fontconfig's caches back */
	return rc;
}

static void read_metrics(struct font *f)
{
	FT_Face face = f->face;
	double em = face->units_per_EM ? face->units_per_EM : 2048;
	const TT_OS2 *os2 = FT_Get_Sfnt_Table(face, FT_SFNT_OS2);
	f->cap_em = os2 && os2->version >= 2 && os2->sCapHeight > 0 ? os2->sCapHeight / em : 0.72;
	f->descent_em = face->descender ? -face->descender / em : 0.24;
}

struct font *font_open(const char *pattern, struct lwq_err *err)
{
	if (!pattern)
		pattern = FONT_DEFAULT;
	struct font *f = calloc(1, sizeof *f);
	if (!f) {
		lwq_err_set(err, "out of memory for a font");
		return NULL;
	}
	int index = 0;
	if (strchr(pattern, '/')) {        /* a font file given directly */
		snprintf(f->file, sizeof f->file, "%s", pattern);
	} else if (find_font_file(pattern, f->file, sizeof f->file, &index, f->family,
				  sizeof f->family) != 0) {
		lwq_err_set(err, "font '%s': fontconfig finds no font (install fonts-dejavu-core)",
			    pattern);
		free(f);
		return NULL;
	}
	if (FT_Init_FreeType(&f->lib) != 0) {
		lwq_err_set(err, "FreeType: cannot start");
		free(f);
		return NULL;
	}
	if (FT_New_Face(f->lib, f->file, index, &f->face) != 0 || !FT_IS_SCALABLE(f->face)) {
		lwq_err_set(err, "%s: not a scalable font FreeType can read", f->file);
		font_free(f);
		return NULL;
	}
	if (!f->family[0])
		snprintf(f->family, sizeof f->family, "%s",
			 f->face->family_name ? f->face->family_name : "sans-serif");
	read_metrics(f);
	return f;
}

void font_free(struct font *f)
{
	if (!f)
		return;
	if (f->face)
		FT_Done_Face(f->face);
	if (f->lib)
		FT_Done_FreeType(f->lib);
	free(f);
}

const char *font_family(const struct font *f)
{
	return f->family;
}

const char *font_file(const struct font *f)
{
	return f->file;
}

unsigned utf8_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	if (!*s)
		return 0;
	int n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3
	      : (*s & 0xF8) == 0xF0 ? 4 : 0;
	unsigned cp = n == 1 ? *s : n == 2 ? *s & 0x1Fu : n == 3 ? *s & 0x0Fu : *s & 0x07u;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			n = 0;
			break;
		}
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if (n == 0) {
		*p += 1;
		return 0xFFFD;
	}
	*p += n;
	return cp;
}

/* Sizes are set in 26.6 points at 72 dpi, so one point is one pixel and fractional
   sizes (a 9.5 px label at scale 3) stay exact. */
static int set_size(struct font *f, double size)
{
	return FT_Set_Char_Size(f->face, 0, (FT_F26Dot6)lround(size * 64), 72, 72);
}

double font_text_width(struct font *f, const char *text, double size)
{
	/* Measured at a large size and scaled: the unhinted advance is linear in size. */
	const double ref = 64;
	if (set_size(f, ref) != 0)
		return 0;
	double w = 0;
	FT_UInt prev = 0;
	for (const char *p = text; *p;) {
		FT_UInt g = FT_Get_Char_Index(f->face, utf8_next(&p));
		if (FT_Load_Glyph(f->face, g, FT_LOAD_NO_HINTING) != 0)
			continue;
		if (prev && FT_HAS_KERNING(f->face)) {
			FT_Vector k;
			if (FT_Get_Kerning(f->face, prev, g, FT_KERNING_UNFITTED, &k) == 0)
				w += k.x / 64.0;
		}
		w += f->face->glyph->linearHoriAdvance / 65536.0;
		prev = g;
	}
	return w * size / ref;
}

double font_cap_height(const struct font *f, double size)
{
	return f->cap_em * size;
}

double font_descent(const struct font *f, double size)
{
	return f->descent_em * size;
}

/* Source-over blend of one glyph's coverage bitmap with its top-left at (x0, y0). */
static void blend_bitmap(struct canvas *c, const FT_Bitmap *bm, int x0, int y0, struct rgb color)
{
	for (unsigned row = 0; row < bm->rows; row++) {
		const unsigned char *src = bm->buffer + (long)row * bm->pitch;
		for (unsigned col = 0; col < bm->width; col++)
			if (src[col])
				canvas_blend(c, x0 + (int)col, y0 + (int)row, color, src[col] / 255.0);
	}
}

void font_draw(struct font *f, struct canvas *c, double x, double y, double size,
	       struct rgb color, int upright, const char *text)
{
	if (set_size(f, size) != 0)
		return;
	FT_Matrix turn = { 0, -0x10000, 0x10000, 0 };  /* (x, y) -> (-y, x): reads upwards */
	FT_Set_Transform(f->face, upright ? &turn : NULL, NULL);
	double pen = 0;  /* along the baseline, in pixels */
	FT_UInt prev = 0;
	for (const char *p = text; *p;) {
		FT_UInt g = FT_Get_Char_Index(f->face, utf8_next(&p));
		if (prev && FT_HAS_KERNING(f->face)) {
			FT_Vector k;
			if (FT_Get_Kerning(f->face, prev, g, FT_KERNING_UNFITTED, &k) == 0)
				pen += k.x / 64.0;
		}
		prev = g;
		if (FT_Load_Glyph(f->face, g, FT_LOAD_RENDER | FT_LOAD_TARGET_LIGHT) != 0)
			continue;
		FT_GlyphSlot slot = f->face->glyph;
		double ox = upright ? x : x + pen, oy = upright ? y - pen : y;
		blend_bitmap(c, &slot->bitmap, (int)lround(ox) + slot->bitmap_left,
			     (int)lround(oy) - slot->bitmap_top, color);
		pen += slot->linearHoriAdvance / 65536.0;
	}
	FT_Set_Transform(f->face, NULL, NULL);
}
