// SPDX-License-Identifier: MIT
/*
 * One description, two renderings: `inspect` names each field once and
 * this prints it either as aligned text or as JSON with the same keys.
 *
 *   text                                  JSON
 *   version               0x20f (2.15)    "version": 527, "version_string": "2.15"
 *   elf:                                  "elf": {
 *     entry               0x1000000         "entry": 16777216,
 *     program_headers:                      "program_headers": [
 *       - type=LOAD offset=0x200000 ...       { "type": "LOAD", "offset": 2097152, ... }
 */
#include <string.h>

#include "tools.h"

#define KEY_COLUMN 24

void emit_begin(struct emit *e, FILE *f, bool json)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->json = json;
	e->first = true;
	if (json) {
		fputc('{', f);
		emit_num(e, "json_version", JSON_VERSION, false);
	}
}

void emit_end(struct emit *e)
{
	if (e->json)
		fputs("\n}\n", e->f);
}

/* Start a member: the separator, the indentation, the key. */
static void member(struct emit *e, const char *key)
{
	int indent = 2 * e->depth;

	if (e->json) {
		if (!e->first)
			fputc(',', e->f);
		if (e->in_item)
			fputc(' ', e->f);
		else
			fprintf(e->f, "\n%*s", indent + 2, "");
		if (key)
			fprintf(e->f, "\"%s\": ", key);
	} else if (e->in_item) {
		fprintf(e->f, e->first ? "%s=" : " %s=", key);
	} else {
		int pad = KEY_COLUMN - indent - (int)strlen(key);

		fprintf(e->f, "%*s%s%*s", indent, "", key, pad > 1 ? pad : 1, "");
	}
	e->first = false;
}

static void text_end_of_member(struct emit *e)
{
	if (!e->json && !e->in_item)
		fputc('\n', e->f);
}

void emit_num(struct emit *e, const char *key, uint64_t v, bool hex)
{
	member(e, key);
	fprintf(e->f, e->json || !hex ? "%llu" : "0x%llx", (unsigned long long)v);
	text_end_of_member(e);
}

/* JSON strings: quote, backslash and control bytes escaped; other non-ASCII bytes as Latin-1. */
static void json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Text strings: printable as they are, anything else as \xNN, so one field stays one line. */
static void text_string(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void emit_str(struct emit *e, const char *key, const char *s, size_t len)
{
	member(e, key);
	if (e->json)
		json_string(e->f, s, len);
	else
		text_string(e->f, s, len);
	text_end_of_member(e);
}

void emit_cstr(struct emit *e, const char *key, const char *s)
{
	emit_str(e, key, s, strlen(s));
}

/*
 * A number with a reading beside it: text puts the reading after the
 * value, JSON adds "<key>_<suffix>" as a string (or, for a list of flag
 * names, an array of them).
 */
void emit_num_noted(struct emit *e, const char *key, uint64_t v, const char *suffix, const char *note)
{
	if (e->json) {
		char k[64];

		emit_num(e, key, v, true);
		snprintf(k, sizeof(k), "%s_%s", key, suffix);
		emit_cstr(e, k, note);
		return;
	}
	member(e, key);
	fprintf(e->f, "0x%llx (%s)", (unsigned long long)v, note);
	text_end_of_member(e);
}

/* The names of the bits set in v: a JSON array's elements, or words after the value in text. */
static void flag_names(struct emit *e, uint64_t v, const char *const *names, unsigned n)
{
	const char *sep = e->json ? "" : " ";
	char unnamed[8];

	for (unsigned bit = 0; bit < 64; bit++) {
		const char *name = bit < n ? names[bit] : NULL;

		if (!(v >> bit & 1))
			continue;
		if (!name) {
			snprintf(unnamed, sizeof(unnamed), "bit%u", bit);
			name = unnamed;
		}
		fprintf(e->f, e->json ? "%s\"%s\"" : "%s%s", sep, name);
		sep = e->json ? ", " : " ";
	}
}

void emit_flags(struct emit *e, const char *key, uint64_t v, const char *const *names, unsigned n)
{
	member(e, key);
	if (e->json) {
		char k[64];

		fprintf(e->f, "%llu", (unsigned long long)v);
		snprintf(k, sizeof(k), "%s_names", key);
		member(e, k);
		fputc('[', e->f);
		flag_names(e, v, names, n);
		fputc(']', e->f);
	} else {
		fprintf(e->f, "0x%llx", (unsigned long long)v);
		flag_names(e, v, names, n);
		text_end_of_member(e);
	}
}

static void open_level(struct emit *e, const char *key, char close)
{
	if (e->depth + 1 >= (int)sizeof(e->close))
		die("emit: nesting too deep");
	if (e->json) {
		member(e, key);
		fputc(close == '}' ? '{' : '[', e->f);
	} else {
		fprintf(e->f, "%*s%s:\n", 2 * e->depth, "", key);
	}
	e->close[++e->depth] = close;
	e->first = true;
}

void emit_object(struct emit *e, const char *key)
{
	open_level(e, key, '}');
}

void emit_array(struct emit *e, const char *key)
{
	open_level(e, key, ']');
}

/* An object inside an array, printed on one line in both renderings. */
void emit_item(struct emit *e)
{
	if (e->json) {
		member(e, NULL);
		fputc('{', e->f);
	} else {
		fprintf(e->f, "%*s- ", 2 * e->depth, "");
	}
	e->in_item = true;
	e->first = true;
}

void emit_item_end(struct emit *e)
{
	fputs(e->json ? " }" : "\n", e->f);
	e->in_item = false;
	e->first = false;
}

void emit_close(struct emit *e)
{
	char close = e->close[e->depth--];

	if (e->json) {
		if (!e->first)
			fprintf(e->f, "\n%*s", 2 * e->depth + 2, "");
		fputc(close, e->f);
	}
	e->first = false;
}
