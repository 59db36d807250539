// SPDX-License-Identifier: MIT
//
// mig_config: environment parsing for bimer-migrate (see mig_config.h).
// Numbers are parsed strictly (digits only, range-checked) so that a typo such
// as BIMER_DB_PORT=13306x is an error rather than a silent 13306.

#include "mig_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	NAME_MAX_LEN = 64,
	VALUE_MAX_LEN = 4096,
	DEMO_PASSWORD_MIN = 8,
	DEMO_PASSWORD_MAX = 128,
	SECRET_FILE_MAX = 1024,
};

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return (v != NULL && v[0] != '\0') ? v : fallback;
}

// Copies an environment value (or its default) into *out; empty means unset.
static int take(char **out, const char *name, const char *fallback, struct mig_err *err)
{
	const char *v = env_or(name, fallback);
	if (strlen(v) > VALUE_MAX_LEN)
		return mig_err_set(err, MIG_EUSAGE, "%s is too long (more than %d bytes)", name,
		                   VALUE_MAX_LEN);
	*out = strdup(v);
	if (*out == NULL)
		return mig_err_set(err, MIG_EFAIL, "out of memory reading %s", name);
	return 0;
}

static int parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;
	if (s[0] == '\0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int valid_db_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

// Reads a one-line secret file, dropping a trailing newline.
static int read_secret_file(const char *path, char **out, struct mig_err *err)
{
	char buf[SECRET_FILE_MAX + 2];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return mig_err_set(err, MIG_EUSAGE,
		                   "BIMER_DB_PASSWORD is not set and %s cannot be read: %s", path,
		                   strerror(errno));
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	int bad = ferror(f) || n > SECRET_FILE_MAX;
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (bad || n == 0 || strlen(buf) != n) {
		explicit_bzero(buf, sizeof(buf));
		return mig_err_set(err, MIG_EUSAGE, "%s is empty, unreadable or malformed", path);
	}
	*out = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	if (*out == NULL)
		return mig_err_set(err, MIG_EFAIL, "out of memory reading %s", path);
	return 0;
}

// BIMER_DB_PASSWORD, else the file BIMER_DB_PASSWORD_FILE names (as
// deploy/local/stack.sh keeps it), else $BIMER_VAR_DIR/secrets/db.password.
static int load_password(struct mig_config *cfg, struct mig_err *err)
{
	const char *v = getenv("BIMER_DB_PASSWORD");
	if (v != NULL) { // set, even to "", is taken as is: "" means no password
		if (strlen(v) > SECRET_FILE_MAX)
			return mig_err_set(err, MIG_EUSAGE, "BIMER_DB_PASSWORD is too long");
		cfg->db_password = strdup(v);
		return cfg->db_password != NULL ? 0 : mig_err_set(err, MIG_EFAIL, "out of memory");
	}
	const char *file = getenv("BIMER_DB_PASSWORD_FILE");
	if (file != NULL && file[0] != '\0')
		return read_secret_file(file, &cfg->db_password, err);
	const char *var = getenv("BIMER_VAR_DIR");
	if (var == NULL || var[0] == '\0')
		return mig_err_set(
		    err, MIG_EUSAGE,
		    "BIMER_DB_PASSWORD is not set (nor BIMER_DB_PASSWORD_FILE, nor "
		    "BIMER_VAR_DIR, whose secrets/db.password would be used instead)");
	char path[VALUE_MAX_LEN + 64];
	int n = snprintf(path, sizeof(path), "%s/secrets/db.password", var);
	if (n < 0 || (size_t)n >= sizeof(path))
		return mig_err_set(err, MIG_EUSAGE, "BIMER_VAR_DIR is too long");
	return read_secret_file(path, &cfg->db_password, err);
}

int mig_config_load(struct mig_config *cfg, struct mig_err *err)
{
	char *port = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (take(&cfg->db_host, "BIMER_DB_HOST", "127.0.0.1", err) != 0 ||
	    take(&port, "BIMER_DB_PORT", "13306", err) != 0 ||
	    take(&cfg->db_name, "BIMER_DB_NAME", "bimer", err) != 0 ||
	    take(&cfg->db_user, "BIMER_DB_USER", "bimer", err) != 0 ||
	    take(&cfg->migrations_dir, "BIMER_MIGRATIONS_DIR", "deploy/sql/migrations", err) != 0 ||
	    take(&cfg->demo_dir, "BIMER_DEMO_DIR", "deploy/sql/demo", err) != 0)
		goto out;
	if (parse_port(port, &cfg->db_port) != 0) {
		mig_err_set(err, MIG_EUSAGE,
		            "BIMER_DB_PORT must be a number from 1 to 65535, got \"%s\"", port);
		goto out;
	}
	if (!valid_db_name(cfg->db_name)) {
		mig_err_set(
		    err, MIG_EUSAGE,
		    "BIMER_DB_NAME must be 1-64 characters of A-Z, a-z, 0-9 and _, got \"%s\"",
		    cfg->db_name);
		goto out;
	}
	if (strlen(cfg->db_user) > NAME_MAX_LEN) {
		mig_err_set(err, MIG_EUSAGE, "BIMER_DB_USER is longer than %d bytes", NAME_MAX_LEN);
		goto out;
	}
	if (load_password(cfg, err) != 0)
		goto out;
	// The demo password is only validated by `demo`; a default keeps `up` usable.
	if (take(&cfg->demo_password, "BIMER_DEMO_PASSWORD", "Demo.Parola.2026", err) != 0)
		goto out;
	rc = 0;
out:
	free(port);
	return rc;
}

int mig_config_check_demo(const struct mig_config *cfg, struct mig_err *err)
{
	size_t n = strlen(cfg->demo_password);
	if (n < DEMO_PASSWORD_MIN || n > DEMO_PASSWORD_MAX)
		return mig_err_set(err, MIG_EUSAGE,
		                   "BIMER_DEMO_PASSWORD must be %d to %d bytes long",
		                   DEMO_PASSWORD_MIN, DEMO_PASSWORD_MAX);
	return 0;
}

static void free_secret(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

void mig_config_free(struct mig_config *cfg)
{
	free(cfg->db_host);
	free(cfg->db_name);
	free(cfg->db_user);
	free_secret(cfg->db_password);
	free(cfg->migrations_dir);
	free(cfg->demo_dir);
	free_secret(cfg->demo_password);
	memset(cfg, 0, sizeof(*cfg));
}
