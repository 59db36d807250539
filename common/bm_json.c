// SPDX-License-Identifier: MIT
/*
 * bm_json: bounded JSON parsing and field-table validation. See bm_json.h.
 */
#include "bm_json.h"

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ---------------------------------------------------------- */

/* Nesting depth of raw JSON text, ignoring brackets inside strings; -1 on NUL. */
static int raw_depth(const char *buf, size_t len, int limit)
{
	int depth = 0, max = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\0')
			return -1;
		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
			if (max > limit)
				return max;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return max;
}

enum bm_err bm_json_parse(const char *buf, size_t len, int max_depth, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (!buf || len == 0)
		return BM_E_MALFORMED_JSON;
	int d = raw_depth(buf, len, max_depth);
	if (d < 0 || d > max_depth)
		return BM_E_MALFORMED_JSON;
	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	return *out ? BM_OK : BM_E_MALFORMED_JSON;
}

/* ---- messages ---------------------------------------------------------- */

struct msg {
	const char *code, *tr, *en;
};

static const struct msg messages[] = {
    {"REQUIRED", "Bu alan zorunludur.", "This field is required."},
    {"INVALID_TYPE", "Alanın türü hatalı.", "The field has the wrong type."},
    {"TOO_SHORT", "Alan çok kısa.", "The field is too short."},
    {"TOO_LONG", "Alan çok uzun.", "The field is too long."},
    {"INVALID_FORMAT", "Alanın biçimi hatalı.", "The field's format is invalid."},
    {"INVALID_VALUE", "Bu değer kabul edilmiyor.", "This value is not accepted."},
    {"UNKNOWN_FIELD", "Bu alan tanınmıyor.", "This field is not recognised."},
    {"OUT_OF_RANGE", "Değer izin verilen aralığın dışında.", "The value is out of range."},
    {"CONTROL_CHARACTER", "Alanda izin verilmeyen bir kontrol karakteri var.",
     "The field contains a control character that is not allowed."},
    {"TCKN_CHECKSUM", "T.C. kimlik numarası geçerli değil.",
     "The T.C. identity number is not valid."},
    {"NOT_ALLOWED", "Bu alan bu başvuru türünde kullanılamaz.",
     "This field is not allowed for this kind of application."},
    {"IDENTITY_HIDDEN_NOT_ALLOWED",
     "Kimliğin gizlenmesi yalnızca şikayet ve ihbar başvurularında istenebilir.",
     "Hiding the identity can be asked only for complaints (sikayet) and reports (ihbar)."},
    {"UNKNOWN_INSTITUTION", "Bu kodla kayıtlı bir kurum yok.", "No institution has this code."},
    {"INSTITUTION_OUT_OF_SCOPE",
     "Bu kurum BİMER kapsamında değildir (yargı mercileri, TBMM, KDK, YSK, HSK, Sayıştay).",
     "This body is outside BİMER (courts, TBMM, KDK, YSK, HSK, Sayıştay)."},
    {"IDEMPOTENCY_KEY_REUSED", "Bu Idempotency-Key başka bir istekle kullanılmış.",
     "This Idempotency-Key was used with a different request."},
    {"ONE_OF_REQUIRED", "T.C. kimlik numarası ya da takip kodundan biri gerekir.",
     "Either the T.C. identity number or the tracking code is required."},
    {"DUPLICATE", "Aynı değer birden fazla verilmiş.", "The same value is given more than once."},
    {"MISSING_IDENTITY", "Dilekçede ad, soyad ve adres bulunmalıdır (3071 sayılı Kanun md. 4).",
     "A petition must carry the name, surname and address (Law 3071 art. 4)."},
    {"ANON_NO_EVIDENCE",
     "İsimsiz mektup ve faks ihbarları ancak somut bilgi veya belgeyle işleme alınır.",
     "Anonymous letters and faxes are processed only with concrete information or documents."},
    {"BE_PHONE_NOT_ALLOWED",
     "Bilgi edinme başvurusu telefonla yapılamaz; yazılı veya elektronik olmalıdır.",
     "An information request cannot be made by phone; it must be written or electronic."},
    {"BE_MISSING_TCKN_OR_FORM", "Faksla bilgi edinme başvurusunda T.C. kimlik numarası zorunludur.",
     "An information request by fax must carry the T.C. identity number."},
    {"ATTACHMENT_EMPTY", "Dosya boş.", "The file is empty."},
    {"ATTACHMENT_TYPE_MISMATCH",
     "Dosyanın içeriği bildirilen türle (Content-Type) uyuşmuyor; yalnızca PDF, PNG ve JPEG "
     "kabul edilir.",
     "The file's content does not match its declared type (Content-Type); only PDF, PNG and "
     "JPEG are accepted."},
    {"ATTACHMENT_NOT_FOUND", "Belirtilen ek bulunamadı.", "No attachment with this id was found."},
    {"ATTACHMENT_ALREADY_USED", "Bu ek daha önce kullanılmış.",
     "This attachment has already been used."},
    {"TOO_MANY_ATTACHMENTS", "Bir başvuruya en çok 10 ek eklenebilir.",
     "An application can have at most 10 attachments."},
    {NULL, "Alan geçersiz.", "The field is invalid."},
};

static const struct msg *find_msg(const char *code)
{
	const struct msg *m = messages;
	while (m->code && strcmp(m->code, code))
		m++;
	return m;
}

/*
 * Drop an incomplete UTF-8 sequence at the end of s: a long field path is cut to fit
 * struct bm_verr, and a path cut inside a character is not valid UTF-8, so the
 * problem+json renderer could not send that error at all. It mends the finished
 * string on purpose: the path may already have been cut before (join_path writes
 * into a buffer of the same size), and then the bytes past the cut are gone.
 */
static void utf8_cut_whole(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

void bm_verrs_add(struct bm_verrs *errs, const char *field, const char *code,
                  const struct bm_field *f)
{
	if (errs->n >= BM_VERR_MAX)
		return;
	struct bm_verr *v = &errs->v[errs->n++];
	const struct msg *m = find_msg(code);
	const char *text = errs->lang == BM_LANG_EN ? m->en : m->tr;

	snprintf(v->field, sizeof v->field, "%s", field);
	utf8_cut_whole(v->field);
	v->code = code;
	if (f && f->type == BM_FT_STRING && !strcmp(code, "TOO_LONG"))
		snprintf(v->message, sizeof v->message,
		         errs->lang == BM_LANG_EN ? "%s (at most %lld characters)"
		                                  : "%s (en çok %lld karakter)",
		         text, f->max);
	else if (f && f->type == BM_FT_STRING && !strcmp(code, "TOO_SHORT"))
		snprintf(v->message, sizeof v->message,
		         errs->lang == BM_LANG_EN ? "%s (at least %lld characters)"
		                                  : "%s (en az %lld karakter)",
		         text, f->min);
	else
		snprintf(v->message, sizeof v->message, "%s", text);
}

void bm_verrs_add_text(struct bm_verrs *errs, const char *field, const char *code, const char *tr,
                       const char *en)
{
	size_t before = errs->n;
	bm_verrs_add(errs, field, code, NULL);
	if (errs->n > before && tr && en)
		snprintf(errs->v[before].message, sizeof errs->v[before].message, "%s",
		         errs->lang == BM_LANG_EN ? en : tr);
}

/* ---- regular expressions, compiled once per pattern -------------------- */

struct rx_entry {
	const char *pattern;
	regex_t rx;
	struct rx_entry *next;
};

static struct rx_entry *rx_list;
static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;

/* The compiled form of pattern, or NULL if it cannot compile (a table bug). */
static const regex_t *rx_get(const char *pattern)
{
	const regex_t *found = NULL;
	pthread_mutex_lock(&rx_lock);
	for (struct rx_entry *e = rx_list; e; e = e->next)
		if (e->pattern == pattern || !strcmp(e->pattern, pattern)) {
			found = &e->rx;
			goto out;
		}
	struct rx_entry *e = calloc(1, sizeof *e);
	size_t n = strlen(pattern) + 5;
	char *anchored = malloc(n);
	if (!e || !anchored) {
		free(e);
		free(anchored);
		goto out;
	}
	snprintf(anchored, n, "^(%s)$", pattern);
	if (regcomp(&e->rx, anchored, REG_EXTENDED | REG_NOSUB) == 0) {
		e->pattern = pattern;
		e->next = rx_list;
		rx_list = e;
		found = &e->rx;
	} else {
		free(e);
	}
	free(anchored);
out:
	pthread_mutex_unlock(&rx_lock);
	return found;
}

bool bm_json_matches(const char *s, const char *pattern)
{
	const regex_t *rx = rx_get(pattern);
	return rx && regexec(rx, s, 0, NULL, 0) == 0;
}

/* ---- validation ------------------------------------------------------- */

size_t bm_utf8_len(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool has_control(const char *s, size_t len, bool multiline)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0x7F ||
		    (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))))
			return true;
	}
	return false;
}

static void validate_value(const json_t *v, const struct bm_field *f, const char *path,
                           struct bm_verrs *errs);

static void check_string(const json_t *v, const struct bm_field *f, const char *path,
                         struct bm_verrs *errs)
{
	const char *s = json_string_value(v);
	size_t bytes = json_string_length(v);
	size_t chars = bm_utf8_len(s, bytes);

	if (memchr(s, '\0', bytes) || has_control(s, bytes, f->flags & BM_FF_MULTILINE)) {
		bm_verrs_add(errs, path, "CONTROL_CHARACTER", f);
		return;
	}
	if ((long long)chars < f->min) {
		bm_verrs_add(errs, path,
		             chars == 0 && (f->flags & BM_FF_REQUIRED) ? "REQUIRED" : "TOO_SHORT",
		             f);
		return;
	}
	if ((long long)chars > f->max) {
		bm_verrs_add(errs, path, "TOO_LONG", f);
		return;
	}
	if (f->enumv) {
		const char *const *e = f->enumv;
		while (*e && strcmp(*e, s))
			e++;
		if (!*e) {
			bm_verrs_add(errs, path, "INVALID_VALUE", f);
			return;
		}
	}
	if (f->pattern) {
		const regex_t *rx = rx_get(f->pattern);
		if (!rx || regexec(rx, s, 0, NULL, 0) != 0) {
			bm_verrs_add(errs, path, "INVALID_FORMAT", f);
			return;
		}
	}
}

static void check_array(const json_t *v, const struct bm_field *f, const char *path,
                        struct bm_verrs *errs)
{
	size_t n = json_array_size(v);
	char sub[96];

	if ((long long)n < f->min) {
		bm_verrs_add(errs, path, "TOO_SHORT", f);
		return;
	}
	if (f->max && (long long)n > f->max) {
		bm_verrs_add(errs, path, "TOO_LONG", f);
		return;
	}
	if (!f->sub)
		return;
	for (size_t i = 0; i < n; i++) {
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		validate_value(json_array_get(v, i), f->sub, sub, errs);
	}
}

static bool type_ok(const json_t *v, enum bm_ftype t)
{
	switch (t) {
	case BM_FT_STRING: return json_is_string(v);
	case BM_FT_INT: return json_is_integer(v);
	case BM_FT_BOOL: return json_is_boolean(v);
	case BM_FT_OBJECT: return json_is_object(v);
	case BM_FT_ARRAY: return json_is_array(v);
	}
	return false;
}

static size_t validate_object(const json_t *obj, const struct bm_field *tbl, const char *prefix,
                              struct bm_verrs *errs);

static void validate_value(const json_t *v, const struct bm_field *f, const char *path,
                           struct bm_verrs *errs)
{
	size_t before = errs->n;

	if (!type_ok(v, f->type)) {
		bm_verrs_add(errs, path, "INVALID_TYPE", f);
		return;
	}
	switch (f->type) {
	case BM_FT_STRING: check_string(v, f, path, errs); break;
	case BM_FT_INT: {
		long long i = json_integer_value(v);
		if (i < f->min || (f->max && i > f->max)) {
			bm_verrs_add(errs, path, "OUT_OF_RANGE", f);
			return;
		}
		break;
	}
	case BM_FT_ARRAY: check_array(v, f, path, errs); break;
	case BM_FT_OBJECT:
		if (f->sub)
			validate_object(v, f->sub, path, errs);
		break;
	case BM_FT_BOOL: break;
	}
	if (f->check && errs->n == before) {
		const char *code = f->check(v);
		if (code)
			bm_verrs_add(errs, path, code, f);
	}
}

static void join_path(char *out, size_t cap, const char *prefix, const char *name)
{
	if (prefix && *prefix)
		snprintf(out, cap, "%s.%s", prefix, name);
	else
		snprintf(out, cap, "%s", name);
}

static size_t validate_object(const json_t *obj, const struct bm_field *tbl, const char *prefix,
                              struct bm_verrs *errs)
{
	size_t before = errs->n;
	char path[96];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		const struct bm_field *f = tbl;
		while (f->name && strcmp(f->name, key))
			f++;
		if (!f->name) {
			join_path(path, sizeof path, prefix, key);
			bm_verrs_add(errs, path, "UNKNOWN_FIELD", NULL);
		}
	}
	for (const struct bm_field *f = tbl; f->name; f++) {
		join_path(path, sizeof path, prefix, f->name);
		v = json_object_get(obj, f->name);
		if (!v || (json_is_null(v) && (f->flags & BM_FF_NULLABLE))) {
			if (f->flags & BM_FF_REQUIRED)
				bm_verrs_add(errs, path, "REQUIRED", f);
			continue;
		}
		validate_value(v, f, path, errs);
	}
	return errs->n - before;
}

size_t bm_json_validate(const json_t *obj, const struct bm_field *tbl, struct bm_verrs *errs)
{
	if (!json_is_object(obj)) {
		bm_verrs_add(errs, "", "INVALID_TYPE", NULL);
		return 1;
	}
	return validate_object(obj, tbl, "", errs);
}

/* ---- getters ----------------------------------------------------------- */

const char *bm_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

long long bm_json_int(const json_t *obj, const char *key, long long def)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool bm_json_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}
