/*
 * source.c: a data source over rows held in memory (see source.h).
 *
 * A pass runs chunk by chunk (mm_parallel's chunks of MM_CHUNK_ROWS rows),
 * each chunk into its own partial state, and the partial states are merged
 * in chunk order: the chunks and the order do not depend on the number of
 * threads, so neither does the result.  The chunks run in waves of as many
 * as there are threads, which bounds the partial states held at once and
 * lets a wait be cancelled between waves.  The first chunk's state is the
 * result's start, so a pass over one chunk is exactly the pass run over the
 * rows in one go.
 */
#include "source.h"

#include <string.h>

/* One wave: chunks of rows base .. base + n, into states (one per chunk). */
typedef struct Wave
{
	const MmRows *rows;
	const MmPass *pass;
	const void *arg;
	size_t		base;
	char	   *states;
	size_t		size;
} Wave;

static void
run_chunk(void *arg, size_t begin, size_t end, int chunk)
{
	Wave	   *w = arg;
	const MmRows *all = w->rows;
	void	   *state = w->states + (size_t) chunk * w->size;
	size_t		first = w->base + begin;
	MmRows		block;

	block.n = end - begin;
	block.p = all->p;
	block.x = all->x + first * (size_t) all->p;
	block.y = all->y ? all->y + first : NULL;
	block.t = all->t ? all->t + first : NULL;
	w->pass->init(state, all->p, w->arg);
	w->pass->add(state, &block, w->arg);
}

static MmErrorCode
memory_run(MmDataSource *self, const MmPass *pass, const void *arg, void *state, MmError *err)
{
	const MmRows *rows = self->impl;
	size_t		size = pass->state_size(rows->p, arg);
	size_t		wave_rows = (size_t) mm_threads() * MM_CHUNK_ROWS;
	Wave		w;
	size_t		base;

	pass->init(state, rows->p, arg);
	if (rows->n == 0)
		return MM_OK;
	w.rows = rows;
	w.pass = pass;
	w.arg = arg;
	w.size = size;
	w.states = mm_alloc(size * (size_t) mm_chunks(rows->n < wave_rows ? rows->n : wave_rows));
	if (w.states == NULL)
		return mm_fail(err, MM_ERR_NO_MEMORY, -1, "out of memory running pass \"%s\"", pass->name);
	for (base = 0; base < rows->n; base += wave_rows)
	{
		size_t		n = rows->n - base < wave_rows ? rows->n - base : wave_rows;
		int			c;

		w.base = base;
		mm_parallel(n, run_chunk, &w);
		for (c = 0; c < mm_chunks(n); c++)
		{
			if (base == 0 && c == 0)
				memcpy(state, w.states, size);
			else
				pass->merge(state, w.states + (size_t) c * size, rows->p, arg);
		}
		mm_check_interrupts();
	}
	mm_free(w.states);
	return MM_OK;
}

static const MmRows *
memory_rows(MmDataSource *self)
{
	return self->impl;
}

void
mm_memory_source(MmDataSource *source, const MmRows *rows)
{
	memset(source, 0, sizeof(*source));
	source->p = rows->p;
	source->n_rows = rows->n;
	source->run = memory_run;
	source->rows = memory_rows;
	source->impl = (void *) rows;
}
