// SPDX-License-Identifier: MIT
/*
 * A minimal JSON reader for the tests of kdecomp's --json output: it
 * validates a document and finds members by key and array items by index.
 */
#include <stdlib.h>

#include "t.h"

static const char *json_skip_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_skip_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *json_skip_container(const char *p, int depth, char close)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (!(p = json_skip_string(p)))
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = json_skip_value(p, depth + 1)))
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = json_ws(p);
	}
}

static const char *json_skip_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 16)
		return NULL;
	if (*p == '{' || *p == '[')
		return json_skip_container(p, depth, *p == '{' ? '}' : ']');
	if (*p == '"')
		return json_skip_string(p);
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;	/* we print integers only: no fractions, no exponents, no leading zeros */
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

bool json_valid(const char *doc)
{
	const char *end = json_skip_value(doc, 0);

	return end && *json_ws(doc) == '{' && *json_ws(end) == 0;
}

/* The value of member `key` of the object at `obj`, or NULL. */
const char *json_get(const char *obj, const char *key)
{
	const char *p = json_ws(obj);
	size_t n = strlen(key);

	if (!p || *p != '{')
		return NULL;
	p = json_ws(p + 1);
	while (*p == '"') {
		bool match = strncmp(p + 1, key, n) == 0 && p[1 + n] == '"';

		p = json_ws(json_skip_string(p));
		p = json_ws(p + 1);	/* past ':' */
		if (match)
			return p;
		p = json_ws(json_skip_value(p, 0));
		if (*p == ',')
			p = json_ws(p + 1);
	}
	return NULL;
}

bool json_num(const char *obj, const char *key, uint64_t *v)
{
	const char *p = json_get(obj, key);

	if (!p || *p < '0' || *p > '9')
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

/* A string member, decoded (\uXXXX below 0x100 as one byte); false if absent. */
bool json_str(const char *obj, const char *key, char *out, size_t cap)
{
	const char *p = json_get(obj, key);
	size_t n = 0;

	if (!p || *p++ != '"')
		return false;
	for (; *p != '"' && n + 1 < cap; p++) {
		if (*p != '\\') {
			out[n++] = *p;
			continue;
		}
		p++;
		if (*p == 'u') {
			char hex[5] = { p[1], p[2], p[3], p[4], 0 };

			out[n++] = (char)strtoul(hex, NULL, 16);
			p += 4;
		} else {
			out[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
		}
	}
	out[n] = 0;
	return true;
}

const char *json_item(const char *array, size_t i)
{
	const char *p = json_ws(array);

	if (!p || *p != '[')
		return NULL;
	p = json_ws(p + 1);
	for (; *p && *p != ']'; i--) {
		if (i == 0)
			return p;
		p = json_skip_value(p, 0);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == ',')
			p = json_ws(p + 1);
	}
	return NULL;
}
