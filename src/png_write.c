/* png_write.c: libpng writer for canvases; the file appears whole or not at all. */
#include "png_write.h"

#include <png.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"

/* libpng reports errors through these; the message goes to the caller's lwq_err. */
static void on_png_error(png_structp png, png_const_charp msg)
{
	struct lwq_err *err = png_get_error_ptr(png);
	lwq_err_set(err, "libpng: %s", msg);
	png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Writes the whole image to an open file; 0, or -1 with err set. */
static int write_png_stream(FILE *f, const struct canvas *c, const char *title,
			    struct lwq_err *err)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err, on_png_error,
						  on_png_warning);
	if (!png)
		return lwq_err_set(err, "libpng: cannot start a PNG");
	png_infop info = png_create_info_struct(png);
	if (!info || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, info ? &info : NULL);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)c->width, (png_uint_32)c->height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_text text[2];
	memset(text, 0, sizeof text);
	text[0].compression = PNG_TEXT_COMPRESSION_NONE;
	text[0].key = "Software";
	text[0].text = "lwq";
	text[1].compression = PNG_TEXT_COMPRESSION_NONE;
	text[1].key = "Title";
	text[1].text = (char *)(title ? title : "");
	png_set_text(png, info, text, title ? 2 : 1);
	png_write_info(png, info);
	for (int y = 0; y < c->height; y++)
		png_write_row(png, c->rgb + (size_t)y * (size_t)c->width * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int png_write_canvas(const char *path, const struct canvas *c, const char *title,
		     int overwrite, struct lwq_err *err)
{
	struct atomic_target t;
	FILE *f = atomic_open_stream(&t, path, overwrite, err);
	if (!f)
		return -1;
	int rc = write_png_stream(f, c, title, err);
	if (rc != 0)
		lwq_err_prefix(err, path);         /* libpng's message names no file */
	return atomic_close_stream(&t, f, rc, err);
}
