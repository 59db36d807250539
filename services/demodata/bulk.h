// SPDX-License-Identifier: MIT
/*
 * Batched multi-row INSERTs through prepared statements: one statement
 * "INSERT INTO t (...) VALUES (?,...),(?,...),..." of max_rows rows is
 * prepared once and executed for every full batch (a shorter one is
 * prepared for the last, partial batch). This is what makes a million
 * applications load in minutes: one round trip and one statement execution
 * per few hundred rows instead of per row, inside transactions of a few
 * thousand applications (load.c). Values are bound, never formatted into SQL.
 */
#ifndef DEMODATA_BULK_H
#define DEMODATA_BULK_H

#include <mysql.h>
#include <stddef.h>

struct dd_arena_block;

struct dd_bulk {
	MYSQL *my;
	char *head; /* "INSERT INTO t (a, b) VALUES " */
	unsigned ncols, max_rows, nrows;
	MYSQL_STMT *full;
	MYSQL_BIND *bind;             /* max_rows * ncols */
	struct dd_arena_block *arena; /* copies of the values until the flush */
	unsigned long long first_id;  /* of the last flush: rows got first_id, first_id + 1, ... */
	unsigned long long affected;
	char err[256];
};

/* head is "INSERT INTO t (cols) VALUES "; -1 on failure (b->err says why). */
int dd_bulk_init(struct dd_bulk *b, MYSQL *my, const char *head, unsigned ncols, unsigned max_rows);
void dd_bulk_free(struct dd_bulk *b);

/* The binds of a new row (flushing a full batch first); NULL on failure. */
MYSQL_BIND *dd_bulk_row(struct dd_bulk *b);

/* Set one value of a row. Strings and blobs are copied; NULL s is SQL NULL. -1 on OOM. */
int dd_bind_str(struct dd_bulk *b, MYSQL_BIND *m, const char *s);
int dd_bind_blob(struct dd_bulk *b, MYSQL_BIND *m, const void *p, size_t n);
int dd_bind_int(struct dd_bulk *b, MYSQL_BIND *m, long long v);
void dd_bind_null(MYSQL_BIND *m);

/* Insert the pending rows. 0, or -1 with b->err set. */
int dd_bulk_flush(struct dd_bulk *b);

#endif
