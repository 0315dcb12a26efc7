/* model_update.h: changing a model file so that its name always holds a whole, readable file. */
#ifndef LWQ_MODEL_UPDATE_H
#define LWQ_MODEL_UPDATE_H

#include <stdint.h>

#include "model_h5.h"

/* Stores something in an open, writable copy of the model; 0 or -1 with err set. */
typedef int (*model_update_fn)(struct model_file *mf, void *ctx, struct lwq_err *err);

/* Runs `update` on a copy of the model file at path (same directory, same mode), then
   flushes, closes, fsyncs and renames the copy over the original. A failure at any
   step (disk full, file size limit, a crash, kill -9) leaves the original untouched;
   success replaces it whole. HDF5 can damage a file it was writing when the write
   fails half-way, which is why the original is never opened for writing.
   new_bytes estimates what `update` adds: the free space for the copy plus that (and a
   margin for HDF5's own structures) is checked before anything is written.
   Fails if another process holds the file open (HDF5's or our lock). */
int model_file_update(const char *path, uint64_t new_bytes, model_update_fn update,
		      void *ctx, struct lwq_err *err);

/* Fails, with the error model_file_update would give, when path cannot be updated now:
   not writable, or held open by another process. Long runs call it before their work,
   not to find out at the end; it takes no lock, so the update may still fail. Call it
   before opening the file yourself (HDF5's own lock would count as another holder). */
int model_file_check_update(const char *path, struct lwq_err *err);

#endif
