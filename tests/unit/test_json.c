// SPDX-License-Identifier: MIT
/*
 * Unit tests of bm_json: bounded parsing and the declarative field tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bm_json.h"
#include "bm_validators.h"

static const char *const cats[] = {"istek", "sikayet", NULL};

static const struct bm_field applicant[] = {
    {.name = "tc_kimlik_no",
     .type = BM_FT_STRING,
     .flags = BM_FF_REQUIRED,
     .min = 11,
     .max = 11,
     .check = bm_check_tckn},
    {.name = "email", .type = BM_FT_STRING, .min = 3, .max = 254, .pattern = "[^@ ]+@[^@ ]+"},
    {0}};

static const struct bm_field table[] = {
    {.name = "subject", .type = BM_FT_STRING, .flags = BM_FF_REQUIRED, .min = 3, .max = 10},
    {.name = "body", .type = BM_FT_STRING, .flags = BM_FF_MULTILINE, .min = 0, .max = 100},
    {.name = "category", .type = BM_FT_STRING, .min = 1, .max = 16, .enumv = cats},
    {.name = "count", .type = BM_FT_INT, .min = 1, .max = 5},
    {.name = "hidden", .type = BM_FT_BOOL},
    {.name = "ids",
     .type = BM_FT_ARRAY,
     .min = 0,
     .max = 2,
     .sub = &(const struct bm_field){.type = BM_FT_STRING, .min = 1, .max = 4}},
    {.name = "applicant", .type = BM_FT_OBJECT, .sub = applicant},
    {.name = "note", .type = BM_FT_STRING, .flags = BM_FF_NULLABLE, .min = 1, .max = 5},
    {0}};

/* Validate text against table; return the errors (first code checked by callers). */
static struct bm_verrs run(const char *text)
{
	struct bm_verrs errs = {.lang = BM_LANG_TR};
	json_t *obj = NULL;
	assert_int_equal(bm_json_parse(text, strlen(text), BM_JSON_MAX_DEPTH, &obj), BM_OK);
	bm_json_validate(obj, table, &errs);
	json_decref(obj);
	return errs;
}

static void assert_one(const char *text, const char *field, const char *code)
{
	struct bm_verrs e = run(text);
	if (e.n != 1)
		fail_msg("%s: expected 1 error, got %zu (first %s %s)", text, e.n,
		         e.n ? e.v[0].field : "-", e.n ? e.v[0].code : "-");
	assert_string_equal(e.v[0].field, field);
	assert_string_equal(e.v[0].code, code);
	assert_true(strlen(e.v[0].message) > 0);
}

static void test_valid(void **state)
{
	(void)state;
	struct bm_verrs e = run("{\"subject\":\"Yol\",\"body\":\"a\\nb\",\"category\":\"istek\","
	                        "\"count\":5,\"hidden\":true,\"ids\":[\"ab\"],"
	                        "\"applicant\":{\"tc_kimlik_no\":\"10000000146\"},\"note\":null}");
	assert_int_equal(e.n, 0);
}

static void test_each_rule(void **state)
{
	(void)state;
	assert_one("{}", "subject", "REQUIRED");
	assert_one("{\"subject\":5}", "subject", "INVALID_TYPE");
	assert_one("{\"subject\":\"ab\"}", "subject", "TOO_SHORT");
	assert_one("{\"subject\":\"abcdefghijk\"}", "subject", "TOO_LONG");
	/* length is in characters: 10 two-byte letters fit */
	assert_int_equal(run("{\"subject\":\"ççççççççğğ\"}").n, 0);
	assert_one("{\"subject\":\"abc\",\"category\":\"x\"}", "category", "INVALID_VALUE");
	assert_one("{\"subject\":\"abc\",\"count\":6}", "count", "OUT_OF_RANGE");
	assert_one("{\"subject\":\"abc\",\"count\":\"1\"}", "count", "INVALID_TYPE");
	assert_one("{\"subject\":\"abc\",\"hidden\":1}", "hidden", "INVALID_TYPE");
	assert_one("{\"subject\":\"abc\",\"extra\":1}", "extra", "UNKNOWN_FIELD");
	assert_one("{\"subject\":\"abc\",\"ids\":[\"a\",\"b\",\"c\"]}", "ids", "TOO_LONG");
	assert_one("{\"subject\":\"abc\",\"ids\":[\"a\",\"bbbbb\"]}", "ids[1]", "TOO_LONG");
	assert_one("{\"subject\":\"abc\",\"applicant\":{}}", "applicant.tc_kimlik_no", "REQUIRED");
	assert_one("{\"subject\":\"abc\",\"applicant\":{\"tc_kimlik_no\":\"10000000147\"}}",
	           "applicant.tc_kimlik_no", "TCKN_CHECKSUM");
	assert_one("{\"subject\":\"abc\",\"applicant\":{\"tc_kimlik_no\":\"10000000146\","
	           "\"email\":\"no-at-sign\"}}",
	           "applicant.email", "INVALID_FORMAT");
	assert_one("{\"subject\":\"abc\",\"applicant\":{\"tc_kimlik_no\":\"10000000146\",\"x\":1}}",
	           "applicant.x", "UNKNOWN_FIELD");
	assert_one("{\"subject\":\"a\\tc\"}", "subject", "CONTROL_CHARACTER");
	assert_one("{\"subject\":\"abc\",\"note\":\"\"}", "note", "TOO_SHORT");
}

static void test_collects_all(void **state)
{
	(void)state;
	struct bm_verrs e = run("{\"subject\":1,\"category\":\"x\",\"zzz\":true}");
	assert_int_equal(e.n, 3);
}

static void test_english_messages(void **state)
{
	(void)state;
	struct bm_verrs tr = {.lang = BM_LANG_TR}, en = {.lang = BM_LANG_EN};
	bm_verrs_add(&tr, "x", "REQUIRED", NULL);
	bm_verrs_add(&en, "x", "REQUIRED", NULL);
	assert_string_equal(en.v[0].message, "This field is required.");
	assert_string_not_equal(tr.v[0].message, en.v[0].message);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	json_t *o = NULL;
	static const char *const bad[] = {"",
	                                  "{",
	                                  "{\"a\":}",
	                                  "{\"a\":1}x",
	                                  "{\"a\":1,\"a\":2}",
	                                  "\"str\"",
	                                  "12",
	                                  "{\"a\":\"\\u0000\"}",
	                                  "{\"a\":\"\xff\"}",
	                                  NULL};
	for (const char *const *b = bad; *b; b++) {
		assert_int_equal(bm_json_parse(*b, strlen(*b), BM_JSON_MAX_DEPTH, &o),
		                 BM_E_MALFORMED_JSON);
		assert_null(o);
	}
	const char nul[] = "{\"a\":1}\0";
	assert_int_equal(bm_json_parse(nul, sizeof nul - 1, 16, &o), BM_E_MALFORMED_JSON);
}

static void test_depth(void **state)
{
	(void)state;
	char deep[64], ok[64];
	json_t *o = NULL;
	/* 17 nested arrays inside an object: over 16 */
	snprintf(deep, sizeof deep, "{\"a\":%s1%s}", "[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]");
	assert_int_equal(bm_json_parse(deep, strlen(deep), 16, &o), BM_E_MALFORMED_JSON);
	snprintf(ok, sizeof ok, "{\"a\":%s1%s}", "[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]");
	assert_int_equal(bm_json_parse(ok, strlen(ok), 16, &o), BM_OK);
	json_decref(o);
	/* brackets inside strings do not count */
	const char *s = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[\"}";
	assert_int_equal(bm_json_parse(s, strlen(s), 2, &o), BM_OK);
	json_decref(o);
}

/*
 * Regression (found by tests/fuzz/fuzz_request, through a form body's field table): an
 * unknown key longer than a field path holds was cut inside a multi-byte UTF-8 character,
 * the cut path was not valid UTF-8, and the problem+json renderer dropped that error: the
 * 422 went out with an empty errors[]. The path must end on a whole character and render.
 */
static void test_long_path_cut_on_a_character(void **state)
{
	(void)state;
	char text[400] = "{\"subject\":\"Yol\",\"";
	for (int i = 0; i < 60; i++)
		strcat(text, "\xc5\x9f"); /* ş: 2 bytes, so byte 95 falls inside one */
	strcat(text, "\":1}");
	struct bm_verrs e = run(text);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].code, "UNKNOWN_FIELD");
	assert_int_equal(strlen(e.v[0].field), 94);
	json_t *field = json_string(e.v[0].field);
	assert_non_null(field);
	json_decref(field);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_each_rule),
	    cmocka_unit_test(test_collects_all),
	    cmocka_unit_test(test_english_messages),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_long_path_cut_on_a_character),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
