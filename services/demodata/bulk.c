// SPDX-License-Identifier: MIT
/*
 * Batched multi-row prepared INSERTs: see bulk.h.
 */
#include "bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 65536

struct dd_arena_block {
	struct dd_arena_block *next;
	size_t used, cap;
	char data[];
};

static void *arena_alloc(struct dd_bulk *b, size_t n)
{
	struct dd_arena_block *a = b->arena;
	n = (n + 7) & ~(size_t)7;
	if (!a || a->cap - a->used < n) {
		size_t cap = n > BLOCK ? n : BLOCK;
		struct dd_arena_block *nb = malloc(sizeof *nb + cap);
		if (!nb)
			return NULL;
		*nb = (struct dd_arena_block){.next = a, .cap = cap};
		b->arena = a = nb;
	}
	void *p = a->data + a->used;
	a->used += n;
	return p;
}

static void arena_reset(struct dd_bulk *b)
{
	while (b->arena) {
		struct dd_arena_block *next = b->arena->next;
		free(b->arena);
		b->arena = next;
	}
}

/* "head (?, ?, ...), (?, ...)" for rows rows. Caller frees. */
static char *statement(const struct dd_bulk *b, unsigned rows)
{
	size_t hl = strlen(b->head), rl = 2 + 3 * (size_t)b->ncols + 2;
	char *sql = malloc(hl + rl * rows + 1), *p = sql;
	if (!sql)
		return NULL;
	memcpy(p, b->head, hl);
	p += hl;
	for (unsigned r = 0; r < rows; r++) {
		*p++ = r ? ',' : ' ';
		*p++ = '(';
		for (unsigned c = 0; c < b->ncols; c++) {
			if (c)
				*p++ = ',';
			*p++ = '?';
		}
		*p++ = ')';
	}
	*p = '\0';
	return sql;
}

static MYSQL_STMT *prepare(struct dd_bulk *b, unsigned rows)
{
	char *sql = statement(b, rows);
	MYSQL_STMT *st = sql ? mysql_stmt_init(b->my) : NULL;
	if (st && mysql_stmt_prepare(st, sql, strlen(sql))) {
		snprintf(b->err, sizeof b->err, "prepare: %u %s", mysql_stmt_errno(st),
		         mysql_stmt_error(st));
		mysql_stmt_close(st);
		st = NULL;
	} else if (!st) {
		snprintf(b->err, sizeof b->err, "out of memory");
	}
	free(sql);
	return st;
}

int dd_bulk_init(struct dd_bulk *b, MYSQL *my, const char *head, unsigned ncols, unsigned max_rows)
{
	memset(b, 0, sizeof *b);
	b->my = my;
	b->ncols = ncols;
	b->max_rows = max_rows;
	b->head = strdup(head);
	b->bind = calloc((size_t)ncols * max_rows, sizeof *b->bind);
	if (!b->head || !b->bind) {
		snprintf(b->err, sizeof b->err, "out of memory");
		return -1;
	}
	b->full = prepare(b, max_rows);
	return b->full ? 0 : -1;
}

void dd_bulk_free(struct dd_bulk *b)
{
	if (b->full)
		mysql_stmt_close(b->full);
	arena_reset(b);
	free(b->bind);
	free(b->head);
	memset(b, 0, sizeof *b);
}

MYSQL_BIND *dd_bulk_row(struct dd_bulk *b)
{
	if (b->nrows == b->max_rows && dd_bulk_flush(b))
		return NULL;
	MYSQL_BIND *row = b->bind + (size_t)b->nrows++ * b->ncols;
	memset(row, 0, b->ncols * sizeof *row);
	return row;
}

int dd_bind_str(struct dd_bulk *b, MYSQL_BIND *m, const char *s)
{
	if (!s) {
		dd_bind_null(m);
		return 0;
	}
	if (dd_bind_blob(b, m, s, strlen(s)))
		return -1;
	m->buffer_type = MYSQL_TYPE_STRING;
	return 0;
}

int dd_bind_blob(struct dd_bulk *b, MYSQL_BIND *m, const void *p, size_t n)
{
	void *copy = arena_alloc(b, n ? n : 1);
	if (!copy)
		return -1;
	memcpy(copy, p, n);
	m->buffer_type = MYSQL_TYPE_BLOB;
	m->buffer = copy;
	m->buffer_length = (unsigned long)n;
	return 0;
}

int dd_bind_int(struct dd_bulk *b, MYSQL_BIND *m, long long v)
{
	long long *slot = arena_alloc(b, sizeof *slot);
	if (!slot)
		return -1;
	*slot = v;
	m->buffer_type = MYSQL_TYPE_LONGLONG;
	m->buffer = slot;
	return 0;
}

void dd_bind_null(MYSQL_BIND *m)
{
	m->buffer_type = MYSQL_TYPE_NULL;
}

int dd_bulk_flush(struct dd_bulk *b)
{
	int rc = 0;
	if (!b->nrows)
		return 0;
	MYSQL_STMT *st = b->nrows == b->max_rows ? b->full : prepare(b, b->nrows);
	if (!st)
		return -1;
	if (mysql_stmt_bind_param(st, b->bind) || mysql_stmt_execute(st)) {
		snprintf(b->err, sizeof b->err, "%u %s", mysql_stmt_errno(st),
		         mysql_stmt_error(st));
		rc = -1;
	} else {
		b->first_id = mysql_stmt_insert_id(st);
		b->affected = mysql_stmt_affected_rows(st);
	}
	if (st != b->full)
		mysql_stmt_close(st);
	b->nrows = 0;
	arena_reset(b);
	return rc;
}
