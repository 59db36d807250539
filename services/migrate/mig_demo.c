// SPDX-License-Identifier: MIT
//
// mig_demo: demo data and demo accounts (see mig_demo.h). Password hashes use
// argon2id with t=3, m=64 MiB, p=1, a 16-byte salt from the OS CSPRNG and a
// 32-byte tag, in the standard encoded form, which the verification service
// checks with argon2id_verify. The password itself is never printed.

#include "mig_demo.h"

#include <argon2.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "mig_db.h"
#include "mig_files.h"
#include "mig_plan.h"

enum {
	ARGON_T = 3,
	ARGON_M_KIB = 65536,
	ARGON_P = 1,
	SALT_LEN = 16,
	TAG_LEN = 32,
	HASH_CAP = 256,
	LOCK_TIMEOUT_S = 60,
	MAX_ROLES = 3,
};

// The exact prefix of a hash made with today's parameters; anything else is
// rehashed without being verified (cheaper, and no hostile parameters reach
// the argon2 allocator).
static const char hash_prefix[] = "$argon2id$v=19$m=65536,t=3,p=1$";

static const char *const all_roles[] = {"operator", "institution_user", "coordinator",
                                        "bedk_member", "admin"};

struct demo_user {
	const char *username;
	const char *full_name;
	const char *email;
	const char *institution;
	const char *roles[MAX_ROLES + 1]; // NULL-terminated
};

static const struct demo_user demo_users[] = {
    {"merkez.operator",
     "Merkez BİMER Operatörü",
     "merkez.operator@bimer.example",
     "BIMER",
     {"operator", "admin", NULL}},
    {"ankara.operator",
     "Ankara Valiliği BİMER Masası",
     "ankara.operator@bimer.example",
     "VALILIK-06",
     {"operator", "coordinator", NULL}},
    {"ankara.meb",
     "Ankara İl Millî Eğitim Müdürlüğü Kullanıcısı",
     "ankara.meb@bimer.example",
     "IL-MEB-06",
     {"institution_user", NULL}},
    {"cankaya.kaymakamlik",
     "Çankaya Kaymakamlığı Kullanıcısı",
     "cankaya.kaymakamlik@bimer.example",
     "KAYMAKAMLIK-06-CANKAYA",
     {"institution_user", NULL}},
    {"saglik.bakanlik",
     "Sağlık Bakanlığı Kullanıcısı",
     "saglik.bakanlik@bimer.example",
     "SAGLIK",
     {"institution_user", "coordinator", NULL}},
    {"etik.kurul",
     "Kamu Görevlileri Etik Kurulu Kullanıcısı",
     "etik.kurul@bimer.example",
     "ETIK-KURUL",
     {"institution_user", NULL}},
    {"bedk.uye",
     "Bilgi Edinme Değerlendirme Kurulu Üyesi",
     "bedk.uye@bimer.example",
     "BEDK",
     {"bedk_member", NULL}},
};

static int has_role(const struct demo_user *u, const char *role)
{
	for (size_t i = 0; u->roles[i] != NULL; i++)
		if (strcmp(u->roles[i], role) == 0)
			return 1;
	return 0;
}

static int hash_password(const char *password, char *out, size_t cap, struct mig_err *err)
{
	unsigned char salt[SALT_LEN];
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return mig_err_set(err, MIG_EFAIL,
		                   "RAND_bytes failed: no salt for the demo passwords");
	int rc = argon2id_hash_encoded(ARGON_T, ARGON_M_KIB, ARGON_P, password, strlen(password),
	                               salt, sizeof(salt), TAG_LEN, out, cap);
	if (rc != ARGON2_OK)
		return mig_err_set(err, MIG_EFAIL, "argon2id failed: %s", argon2_error_message(rc));
	return 0;
}

// 1 when stored is a current-parameter argon2id hash of password.
static int hash_is_current(const char *stored, const char *password)
{
	if (strncmp(stored, hash_prefix, sizeof(hash_prefix) - 1) != 0)
		return 0;
	return argon2id_verify(stored, password, strlen(password)) == ARGON2_OK;
}

static int upsert_account(MYSQL *db, const struct demo_user *u, struct mig_err *err)
{
	// '!' is not a valid hash: the account cannot log in until the hash is set
	// below, in the same transaction.
	const char *p[] = {u->username, u->full_name, u->email, u->institution};
	return mig_db_prepared(
	    db,
	    "INSERT INTO users (username, password_hash, full_name, email, institution_code, "
	    "active)"
	    " VALUES (?, '!', ?, ?, ?, 1)"
	    " ON DUPLICATE KEY UPDATE full_name = VALUES(full_name), email = VALUES(email),"
	    " institution_code = VALUES(institution_code), active = 1, failed_logins = 0",
	    p, 4, NULL, 0, NULL, err);
}

static int sync_roles(MYSQL *db, const struct demo_user *u, struct mig_err *err)
{
	static const char add_sql[] = "INSERT IGNORE INTO user_roles (user_id, role)"
	                              " SELECT id, ? FROM users WHERE username = ?";
	static const char drop_sql[] = "DELETE r FROM user_roles r JOIN users u ON u.id = r.user_id"
	                               " WHERE r.role = ? AND u.username = ?";

	for (size_t i = 0; i < sizeof(all_roles) / sizeof(all_roles[0]); i++) {
		const char *p[] = {all_roles[i], u->username};
		if (mig_db_prepared(db, has_role(u, all_roles[i]) ? add_sql : drop_sql, p, 2, NULL,
		                    0, NULL, err) != 0)
			return -1;
	}
	return 0;
}

// Sets the password hash unless the stored one already verifies.
static int sync_password(MYSQL *db, const struct demo_user *u, const char *password,
                         struct mig_err *err)
{
	char stored[HASH_CAP], fresh[HASH_CAP];
	int found = 0, rc = -1;
	const char *sel[] = {u->username};

	if (mig_db_prepared(db, "SELECT password_hash FROM users WHERE username = ? FOR UPDATE",
	                    sel, 1, stored, sizeof(stored), &found, err) != 0)
		return -1;
	if (!found)
		return mig_err_set(err, MIG_EFAIL, "demo user %s vanished during the upsert",
		                   u->username);
	if (hash_is_current(stored, password)) {
		printf("demo user %-20s %-24s password unchanged\n", u->username, u->institution);
		return 0;
	}
	if (hash_password(password, fresh, sizeof(fresh), err) != 0)
		goto out;
	const char *upd[] = {fresh, u->username};
	if (mig_db_prepared(db, "UPDATE users SET password_hash = ? WHERE username = ?", upd, 2,
	                    NULL, 0, NULL, err) != 0)
		goto out;
	printf("demo user %-20s %-24s password set\n", u->username, u->institution);
	rc = 0;
out:
	explicit_bzero(fresh, sizeof(fresh));
	return rc;
}

// The demo agency system: the Ministry of Health's own software, with the demo
// password as its client secret (rehashed only when it no longer verifies).
static int sync_agency_client(MYSQL *db, const char *password, struct mig_err *err)
{
	static const char *const id = "saglik-sistemi";
	char stored[HASH_CAP], fresh[HASH_CAP];
	int found = 0, rc = -1;
	const char *ins[] = {id};

	if (mig_db_prepared(
	        db,
	        "INSERT INTO agency_clients (client_id, secret_hash, name, "
	        "institution_code, scopes, active) VALUES (?, '!', "
	        "'Sağlık Bakanlığı Başvuru Sistemi', 'SAGLIK', "
	        "'inbox:read applications:read applications:route applications:answer', 1)"
	        " ON DUPLICATE KEY UPDATE active = 1",
	        ins, 1, NULL, 0, NULL, err) != 0 ||
	    mig_db_prepared(db,
	                    "SELECT secret_hash FROM agency_clients WHERE client_id = ? "
	                    "FOR UPDATE",
	                    ins, 1, stored, sizeof(stored), &found, err) != 0)
		return -1;
	if (found && hash_is_current(stored, password)) {
		printf("demo agency client %-12s secret unchanged\n", id);
		return 0;
	}
	if (hash_password(password, fresh, sizeof(fresh), err) != 0)
		goto out;
	const char *upd[] = {fresh, id};
	if (mig_db_prepared(db, "UPDATE agency_clients SET secret_hash = ? WHERE client_id = ?",
	                    upd, 2, NULL, 0, NULL, err) != 0)
		goto out;
	printf("demo agency client %-12s secret set\n", id);
	rc = 0;
out:
	explicit_bzero(fresh, sizeof(fresh));
	return rc;
}

static int load_files(MYSQL *db, const struct mig_config *cfg, struct mig_err *err)
{
	struct mig_file_list files;
	int rc = -1;

	if (mig_files_load(cfg->demo_dir, 0, &files, err) != 0)
		goto out;
	for (size_t i = 0; i < files.count; i++) {
		const struct mig_file *f = &files.items[i];
		if (mig_db_exec_script(db, f->name, f->data, f->len, err) != 0 ||
		    mig_db_setup_session(db, err) != 0)
			goto out;
		printf("loaded %s\n", f->name);
	}
	rc = 0;
out:
	mig_files_free(&files);
	return rc;
}

// Demo data needs the whole schema: refuse while migrations are pending.
static int require_migrated(MYSQL *db, const struct mig_config *cfg, struct mig_err *err)
{
	struct mig_plan plan;
	int rc = -1;

	if (mig_plan_load(db, cfg, 0, &plan, err) != 0 || mig_plan_check(&plan, err) != 0)
		goto out;
	size_t pending = mig_plan_pending(&plan);
	if (pending > 0) {
		mig_err_set(err, MIG_EFAIL,
		            "%zu migration(s) pending: run `bimer-migrate up` first", pending);
		goto out;
	}
	rc = 0;
out:
	mig_plan_free(&plan);
	return rc;
}

static int load_all(MYSQL *db, const struct mig_config *cfg, struct mig_err *err)
{
	if (require_migrated(db, cfg, err) != 0 || mig_db_exec(db, "START TRANSACTION", err) != 0)
		return -1;
	if (load_files(db, cfg, err) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
		const struct demo_user *u = &demo_users[i];
		if (upsert_account(db, u, err) != 0 || sync_roles(db, u, err) != 0 ||
		    sync_password(db, u, cfg->demo_password, err) != 0)
			goto fail;
	}
	if (sync_agency_client(db, cfg->demo_password, err) != 0)
		goto fail;
	if (mig_db_exec(db, "COMMIT", err) != 0)
		goto fail;
	printf("demo data loaded\n");
	return 0;
fail:;
	struct mig_err ignored = {0};
	mig_db_exec(db, "ROLLBACK", &ignored);
	return -1;
}

int mig_cmd_demo(const struct mig_config *cfg, struct mig_err *err)
{
	if (mig_config_check_demo(cfg, err) != 0)
		return err->status;
	MYSQL *db = mig_db_connect(cfg, err);
	if (db == NULL)
		return err->status;
	int held = 0;
	if (mig_db_lock(db, cfg->db_name, LOCK_TIMEOUT_S, &held, err) == 0) {
		load_all(db, cfg, err);
		mig_db_unlock(db, cfg->db_name, held);
	}
	mysql_close(db);
	return err->status;
}
