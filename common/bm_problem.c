// SPDX-License-Identifier: MIT
/*
 * bm_problem: the one place that maps enum bm_err to an HTTP status and
 * renders RFC 9457 problem+json (type, title, status, detail, code,
 * request_id, errors[]) in Turkish or English. Driver messages never get
 * here: our own failures say only that something went wrong on our side.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_log.h"
#include "bm_req.h"

struct problem_text {
	int status;
	const char *title_tr, *title_en, *detail_tr, *detail_en;
};

static const struct problem_text texts[BM_E__COUNT] = {
    [BM_OK] = {200, "Tamam", "OK", "", ""},
    [BM_E_BAD_REQUEST] = {400, "Hatalı istek", "Bad request", "İstek okunamadı.",
                          "The request could not be read."},
    [BM_E_MALFORMED_JSON] = {400, "Geçersiz JSON", "Malformed JSON",
                             "İstek gövdesi geçerli bir JSON nesnesi değil.",
                             "The request body is not a valid JSON object."},
    [BM_E_UNAUTHORIZED] = {401, "Kimlik doğrulanamadı", "Unauthorized",
                           "Geçerli bir erişim belirteci gerekiyor.",
                           "A valid access token is required."},
    [BM_E_FORBIDDEN] = {403, "Yetkisiz işlem", "Forbidden", "Bu işlem için yetkiniz yok.",
                        "You are not allowed to do this."},
    [BM_E_NOT_FOUND] = {404, "Bulunamadı", "Not found", "İstenen kaynak bulunamadı.",
                        "The requested resource was not found."},
    [BM_E_METHOD] = {405, "Yöntem desteklenmiyor", "Method not allowed",
                     "Bu adres bu HTTP yöntemini desteklemiyor.",
                     "This address does not support this HTTP method."},
    [BM_E_CONFLICT] = {409, "Çakışma", "Conflict", "Kaydın şu anki durumu bu işleme izin vermiyor.",
                       "The record's current state does not allow this action."},
    [BM_E_TOO_LARGE] = {413, "İstek çok büyük", "Payload too large",
                        "İstek gövdesi izin verilen boyutu aşıyor.",
                        "The request body exceeds the allowed size."},
    [BM_E_MEDIA_TYPE] = {415, "Desteklenmeyen içerik türü", "Unsupported media type",
                         "Content-Type bu adres için kabul edilmiyor.",
                         "The Content-Type is not accepted at this address."},
    [BM_E_VALIDATION] = {422, "Doğrulama hatası", "Validation failed",
                         "Gönderilen bilgilerde düzeltilmesi gereken alanlar var.",
                         "Some fields of the request need to be corrected."},
    [BM_E_RATE_LIMITED] =
        {429, "Çok fazla istek", "Too many requests",
         "Kısa sürede çok fazla istek gönderildi. Lütfen daha sonra tekrar deneyin.",
         "Too many requests in a short time. Please try again later."},
    [BM_E_INTERNAL] = {500, "Sunucu hatası", "Internal error", "Beklenmeyen bir hata oluştu.",
                       "An unexpected error occurred."},
    [BM_E_NOMEM] = {500, "Sunucu hatası", "Internal error", "Beklenmeyen bir hata oluştu.",
                    "An unexpected error occurred."},
    [BM_E_DB] = {503, "Hizmet geçici olarak kullanılamıyor", "Service unavailable",
                 "Hizmet geçici olarak kullanılamıyor. Lütfen daha sonra tekrar deneyin.",
                 "The service is temporarily unavailable. Please try again later."},
    [BM_E_REDIS] = {503, "Hizmet geçici olarak kullanılamıyor", "Service unavailable",
                    "Hizmet geçici olarak kullanılamıyor. Lütfen daha sonra tekrar deneyin.",
                    "The service is temporarily unavailable. Please try again later."},
    [BM_E_UNAVAILABLE] = {503, "Hizmet geçici olarak kullanılamıyor", "Service unavailable",
                          "Hizmet geçici olarak kullanılamıyor. Lütfen daha sonra tekrar deneyin.",
                          "The service is temporarily unavailable. Please try again later."},
    [BM_E_CONFIG] = {500, "Sunucu hatası", "Internal error", "Beklenmeyen bir hata oluştu.",
                     "An unexpected error occurred."},
};

int bm_problem_status(enum bm_err e)
{
	if ((unsigned)e >= BM_E__COUNT || !texts[e].status)
		return 500;
	return texts[e].status;
}

/* "VALIDATION_FAILED" → "validation-failed" */
static void kebab(const char *code, char *out, size_t cap)
{
	size_t i = 0;
	for (; code[i] && i + 1 < cap; i++)
		out[i] = code[i] == '_' ? '-' : (char)tolower((unsigned char)code[i]);
	out[i] = '\0';
}

static json_t *errors_array(const struct bm_verrs *errs)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < errs->n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "field", errs->v[i].field,
		                                     "code", errs->v[i].code, "message",
		                                     errs->v[i].message));
	return arr;
}

/* Render and send the problem for e; extra_headers adds lines (Retry-After). */
static void send_problem(struct bm_req *req, enum bm_err e, const char *code, const char *detail,
                         const char *extra_headers)
{
	const struct problem_text *t = &texts[(unsigned)e < BM_E__COUNT ? e : BM_E_INTERNAL];
	bool en = req->lang == BM_LANG_EN;
	char type[128], kb[64], headers[160] = "";

	if (!code)
		code = bm_err_code(e);
	if (!detail)
		detail = en ? t->detail_en : t->detail_tr;
	kebab(code, kb, sizeof kb);
	snprintf(type, sizeof type, "https://bimer.gov.tr/problems/%s", kb);
	int status = bm_problem_status(e);
	req->err = e;
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title",
	                         en ? t->title_en : t->title_tr, "status", status, "detail", detail,
	                         "code", code);
	if (body && req->req_id && *req->req_id)
		json_object_set_new(body, "request_id", json_string(req->req_id));
	if (body && req->errs.n)
		json_object_set_new(body, "errors", errors_array(&req->errs));
	if (e == BM_E_METHOD && req->match.allow[0])
		snprintf(headers, sizeof headers, "Allow: %s\r\n", req->match.allow);
	else if (e == BM_E_UNAUTHORIZED)
		snprintf(headers, sizeof headers, "WWW-Authenticate: Bearer realm=\"bimer\"\r\n");
	else if (extra_headers)
		snprintf(headers, sizeof headers, "%s", extra_headers);
	if (!bm_err_is_client(e))
		bm_log(BM_LOG_ERROR, req->req_id, "answered %d %s", status, code);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) {
		static const char fallback[] = "{\"status\":500,\"code\":\"INTERNAL_ERROR\"}";
		bm_reply_raw(req, 500, "application/problem+json", NULL, fallback,
		             sizeof fallback - 1);
		return;
	}
	bm_reply_raw(req, status, "application/problem+json", headers, text, strlen(text));
	free(text);
}

void bm_reply_problem(struct bm_req *req, enum bm_err e, const char *code, const char *detail)
{
	send_problem(req, e, code, detail, NULL);
}

void bm_reply_error(struct bm_req *req, enum bm_err e)
{
	send_problem(req, e, NULL, NULL, NULL);
}

void bm_reply_rate_limited(struct bm_req *req, long retry_after)
{
	char headers[64];

	snprintf(headers, sizeof headers, "Retry-After: %ld\r\n",
	         retry_after > 0 ? retry_after : 1);
	send_problem(req, BM_E_RATE_LIMITED, NULL, NULL, headers);
}
