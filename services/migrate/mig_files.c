// SPDX-License-Identifier: MIT
//
// mig_files: directory scan, whole-file reads and SHA-256 (see mig_files.h).
// Files are capped in size and may not contain NUL bytes: a migration is text,
// and a NUL would make what the server runs differ from what a reviewer reads.

#include "mig_files.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	FILE_MAX_BYTES = 16 * 1024 * 1024,
	NAME_MAX_BYTES = 200,
	NUMBER_DIGITS = 4,
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

// NNNN_[a-z0-9_-]+.sql
static int valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n > NAME_MAX_BYTES || n < NUMBER_DIGITS + 2 + 4)
		return 0;
	for (int i = 0; i < NUMBER_DIGITS; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	if (name[NUMBER_DIGITS] != '_')
		return 0;
	size_t stem = n - 4 - (NUMBER_DIGITS + 1);
	return strspn(name + NUMBER_DIGITS + 1, "abcdefghijklmnopqrstuvwxyz0123456789_-") == stem;
}

static int sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int read_whole(const char *path, const char *name, struct mig_file *f, struct mig_err *err)
{
	int rc = -1;
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return mig_err_set(err, MIG_EFAIL, "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		mig_err_set(err, MIG_EFAIL, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size > FILE_MAX_BYTES) {
		mig_err_set(err, MIG_EFAIL, "%s is larger than %d bytes", path, FILE_MAX_BYTES);
		goto out;
	}
	f->data = malloc((size_t)st.st_size + 1);
	if (f->data == NULL) {
		mig_err_set(err, MIG_EFAIL, "out of memory reading %s", path);
		goto out;
	}
	f->len = fread(f->data, 1, (size_t)st.st_size + 1, fp);
	if (ferror(fp) || f->len != (size_t)st.st_size) {
		mig_err_set(err, MIG_EFAIL, "cannot read %s (changed while reading?)", path);
		goto out;
	}
	f->data[f->len] = '\0';
	if (memchr(f->data, '\0', f->len) != NULL) {
		mig_err_set(err, MIG_EFAIL, "%s contains a NUL byte", name);
		goto out;
	}
	if (f->data[strspn(f->data, " \t\r\n")] == '\0') {
		mig_err_set(err, MIG_EFAIL, "%s is empty", name);
		goto out;
	}
	if (sha256_hex(f->data, f->len, f->sha256) != 0) {
		mig_err_set(err, MIG_EFAIL, "SHA-256 of %s failed", name);
		goto out;
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct mig_file *)a)->name, ((const struct mig_file *)b)->name);
}

static int append(struct mig_file_list *list, size_t *cap, const char *name, struct mig_err *err)
{
	if (list->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct mig_file *items = realloc(list->items, ncap * sizeof(*items));
		if (items == NULL)
			return mig_err_set(err, MIG_EFAIL, "out of memory listing files");
		list->items = items;
		*cap = ncap;
	}
	struct mig_file *f = &list->items[list->count];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (f->name == NULL)
		return mig_err_set(err, MIG_EFAIL, "out of memory listing files");
	list->count++;
	return 0;
}

static int scan(const char *dir, struct mig_file_list *out, struct mig_err *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return mig_err_set(err, MIG_EUSAGE, "cannot open directory %s: %s", dir,
		                   strerror(errno));
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	errno = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".sql"))
			continue;
		if (!valid_name(e->d_name))
			rc = mig_err_set(
			    err, MIG_EUSAGE,
			    "%s/%s: SQL files must be named NNNN_name.sql (name in a-z, 0-9, _ "
			    "and -)",
			    dir, e->d_name);
		else
			rc = append(out, &cap, e->d_name, err);
	}
	if (rc == 0 && errno != 0)
		rc = mig_err_set(err, MIG_EFAIL, "cannot list %s: %s", dir, strerror(errno));
	closedir(d);
	return rc;
}

int mig_files_load(const char *dir, int unique_numbers, struct mig_file_list *out,
                   struct mig_err *err)
{
	memset(out, 0, sizeof(*out));
	if (scan(dir, out, err) != 0)
		return -1;
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(out->items[0]), by_name);
	for (size_t i = 0; i < out->count; i++) {
		struct mig_file *f = &out->items[i];
		if (unique_numbers && i > 0 &&
		    strncmp(f->name, out->items[i - 1].name, NUMBER_DIGITS) == 0)
			return mig_err_set(err, MIG_EUSAGE,
			                   "%s and %s share the number %.4s: renumber one",
			                   out->items[i - 1].name, f->name, f->name);
		char path[4096 + NAME_MAX_BYTES + 2];
		int n = snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		if (n < 0 || (size_t)n >= sizeof(path))
			return mig_err_set(err, MIG_EUSAGE, "path too long: %s/%s", dir, f->name);
		if (read_whole(path, f->name, f, err) != 0)
			return -1;
	}
	return 0;
}

const struct mig_file *mig_files_find(const struct mig_file_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].name, name) == 0)
			return &list->items[i];
	return NULL;
}

void mig_files_free(struct mig_file_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].name);
		free(list->items[i].data);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}
