/*
 * mapk.h: the C ABI of mapk (TensorFlow-exact MAP@k, evaluated in parallel
 * with exact sums), built as the dynamic library `libmapk-c`:
 *
 *     swift build -c release --product mapk-c
 *
 * Plain C: fixed-width integers, `const char *` strings (UTF-8, NUL-ended),
 * opaque handles; no Swift type crosses this boundary.
 *
 * Conventions:
 *   - A function that can fail returns a `mapk_status` (`MAPK_OK` is 0) and
 *     fills the caller's `mapk_error` (if not NULL) with the status and one
 *     line of text: mapk's own message, the same the CLI prints after
 *     `mapk: error:` (without the CLI's hints about its flags).
 *   - Every entry point validates its pointers, lengths, element types and
 *     sizes (overflow included) before reading any data, and catches every
 *     error: a bad input is an error status, never a crash of the caller.
 *   - Arrays are read in place for the duration of the call only: nothing is
 *     kept, nothing the caller passed is ever written to except the per-row
 *     buffer and the handles it asks for.
 *   - Handles (`mapk_result`, `mapk_stream`, `mapk_files`, `mapk_bytes`) are
 *     freed by their `_free` function (NULL is accepted). One handle may be
 *     read from several threads, but a `mapk_stream` must not be updated
 *     from two threads at once.
 *   - Metric and policy names are strings, so a metric added to the library
 *     is usable here by its name with no change to this header.
 *
 * The library takes no lock of the caller's and keeps no global state:
 * evaluating from several threads at once (each with its own handles) is
 * safe, and each call runs its own worker threads.
 */
#ifndef MAPK_H
#define MAPK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this ABI: it grows when an entry point or struct changes. */
#define MAPK_ABI_VERSION 3
/* Version 2 added, keeping every version-1 entry point and struct as it
 * was: MAPK_BOOL and MAPK_LABELS_MULTIHOT (multi-hot labels), ranked-id
 * predictions (mapk_id_reading, mapk_evaluate_ids, mapk_stream_update_ids,
 * mapk_files_open_ids), the library conventions (mapk_conventions,
 * mapk_convention, mapk_convention_metric_name), mapk_result_pooled and
 * mapk_bootstrap_intervals.
 * Version 3 added, keeping every version-2 entry point and struct as it
 * was: CSR sparse scores (mapk_sparse_scores, mapk_evaluate_sparse,
 * mapk_stream_update_sparse), exclusions (the CLI's --exclude:
 * mapk_evaluate_excluding, mapk_evaluate_ids_excluding,
 * mapk_stream_update_excluding, mapk_stream_update_ids_excluding,
 * mapk_files_open_excluding), bootstrap intervals of files and streams
 * (mapk_files_evaluate_ci, mapk_stream_create_ci, mapk_result_ci_level,
 * mapk_result_interval).
 * Within version 3, no entry point or struct changed: mapk_files_evaluate_ci
 * and mapk_stream_create_ci, which refused pooled metrics (precision,
 * recall) before, now bootstrap them as `mapk eval --ci` does (the ratio's
 * replicates, with the CLI's bits). */

/* The outcome of a call. */
enum {
  MAPK_OK = 0,
  /* A NULL pointer, a negative length, an unknown enum value: a caller bug. */
  MAPK_ERROR_ARGUMENT = 1,
  /* An element type mapk does not take there (int scores, float labels). */
  MAPK_ERROR_TYPE = 2,
  /* A value or shape mapk refuses: a k above the classes, rows that do not
   * match, bad label offsets, a negative weight, a NaN score under the
   * "error" policy, an unknown metric or policy name, non-contiguous data,
   * a repeated or negative non-pad ranked id, a multi-hot integer not 0/1. */
  MAPK_ERROR_VALUE = 3,
  /* A file could not be read or is not a valid input (mapk_files_open). */
  MAPK_ERROR_FILE = 4,
  /* A file, or a directory on its path, does not exist. */
  MAPK_ERROR_FILE_NOT_FOUND = 5,
  /* Bytes that are not a valid mapk metric state (mapk_stream_decode). */
  MAPK_ERROR_STATE = 6,
  /* Anything else (a bug in mapk: please report it with the message). */
  MAPK_ERROR_INTERNAL = 7
};

/* Element types of a `mapk_array`. */
enum {
  MAPK_FLOAT16 = 1,
  MAPK_FLOAT32 = 2,
  MAPK_FLOAT64 = 3,
  MAPK_INT32 = 4,
  MAPK_INT64 = 5,
  /* One byte per element, 0 false, any other value true (NumPy's bool). */
  MAPK_BOOL = 6,
  /* bfloat16 scores: the top 16 bits of each float32 (torch.bfloat16). */
  MAPK_BFLOAT16 = 7
};

/* The kinds of labels (`mapk_labels.kind`). */
enum {
  /* `values` is int32/int64 of shape [D1..DN, L] or [D1..DN]: L label ids per
   * row, negatives (-1 padding) and ids >= C ignored; TensorFlow's dense
   * Tensor rules (duplicates count). */
  MAPK_LABELS_DENSE = 1,
  /* `offsets` (rows + 1 entries, from 0, non-decreasing, ending at the number
   * of values) and `values` (1-d): row r is values[offsets[r] ..
   * offsets[r+1]); TensorFlow's SparseTensor rules (distinct ids count) as
   * for CSR and text label files. */
  MAPK_LABELS_SPARSE = 2,
  /* `values` is bool, or int32/int64 holding only 0 and 1 (else
   * MAPK_ERROR_VALUE naming the row and column), of shape [D1..DN, C]: the
   * predictions' shape for scores (one column per class), any C >= 1 for
   * ranked ids. Row r's labels are its true columns, a set, counted with
   * SparseTensor rules, as a CSR indicator matrix with the same bits is.
   * Read in place, compacted into a copy of the true columns (4 bytes each)
   * and rows + 1 offsets (8 bytes each), freed at the end of the call.
   * MAPK_LABELS_DENSE with bool `values` is read as multi-hot too, as the
   * CLI reads a bool .npy. */
  MAPK_LABELS_MULTIHOT = 3
};

/* The status and message of a failed call. */
typedef struct mapk_error {
  int32_t status;
  /* One line of UTF-8, NUL-ended (cut at a character boundary if longer). */
  char message[1020];
} mapk_error;

/* A view of an n-d array in the caller's memory. */
typedef struct mapk_array {
  /* The first element; may be NULL only when the array has no element. It
   * must be aligned to the element size. */
  const void *data;
  /* MAPK_FLOAT16 ... MAPK_INT64. */
  int32_t dtype;
  /* The rank, 0 (a scalar) to 64. */
  int32_t ndim;
  /* `ndim` dims, each >= 0 (may be NULL when ndim is 0). */
  const int64_t *shape;
  /* NULL for C-contiguous (row-major) data; otherwise `ndim` strides in
   * bytes, which must be the C-contiguous ones (dims of size 1 excepted):
   * mapk reads arrays in place and refuses other layouts with
   * MAPK_ERROR_VALUE rather than copy them. */
  const int64_t *strides;
} mapk_array;

/* Labels: see MAPK_LABELS_DENSE, MAPK_LABELS_SPARSE, MAPK_LABELS_MULTIHOT. */
typedef struct mapk_labels {
  int32_t kind;
  /* int32 or int64 label ids (dense, sparse); bool, int32 or int64 0/1 flags (multi-hot). */
  mapk_array values;
  /* MAPK_LABELS_SPARSE: 1-d int64 (read in place) or int32 (widened to a
   * copy of rows + 1 int64 offsets); ignored for dense labels. */
  mapk_array offsets;
} mapk_labels;

/* What to compute. */
typedef struct mapk_options {
  /* `k_count` >= 1 values of k, each >= 1 (duplicates dropped, sorted). */
  const int64_t *ks;
  int64_t k_count;
  /* Comma-separated metric names (see mapk_metric_names); NULL: "map". */
  const char *metrics;
  /* Rows without labels: "nan" (TensorFlow, the default if NULL), "skip", "zero". */
  const char *empty_rows;
  /* NaN scores: "error" (the default if NULL), "largest", "lowest". */
  const char *nan_scores;
  /* Worker threads; 0: the CPUs this process may use (affinity, cgroup quota). */
  int64_t threads;
} mapk_options;

/* How ranked ids are read (the CLI's --pad-id, --duplicate-ids, --classes).
 * A NULL `mapk_id_reading *` stands for {-1, "error", 0}. */
typedef struct mapk_id_reading {
  /* The id of an empty position (FAISS's -1): it takes its rank and is never
   * a hit. Any other negative id is MAPK_ERROR_VALUE. */
  int64_t pad;
  /* A repeated id in a row: "error" (the default if NULL; MAPK_ERROR_VALUE
   * naming the first such row and id) or "first" (later copies are misses;
   * TensorFlow would count every copy as a hit). */
  const char *duplicates;
  /* The number of classes, or 0 if not known: labels >= classes are then
   * ignored as for scores, and every k must be <= classes. Without it,
   * labels are compared as they are (TensorFlow's _at_top_k functions). */
  int64_t classes;
} mapk_id_reading;

/* CSR sparse scores [rows, width] (scipy's csr_matrix / csr_array, the
 * CLI's scores .npz): row r stores the entries indptr[r] .. indptr[r+1],
 * entry i scoring column indices[i] with data[i]. The stored entries are
 * the row's candidates (an explicit zero is a candidate scored 0); a column
 * not stored is never retrieved. Read in place (int32 or int64 `indptr`
 * and `indices`, float16/32/64 `data`, each 1-d and C-contiguous); checked
 * before use: indptr from 0, non-decreasing, ending at nnz; every column in
 * 0 .. width - 1; no row storing a column twice (MAPK_ERROR_VALUE naming
 * the first bad offset, column or row). */
typedef struct mapk_sparse_scores {
  mapk_array indptr;
  mapk_array indices;
  mapk_array data;
  /* The rows (indptr holds rows + 1 offsets) and the columns (classes, >= 1). */
  int64_t rows;
  int64_t width;
} mapk_sparse_scores;

/* Opaque handles. */
typedef struct mapk_result mapk_result;
typedef struct mapk_stream mapk_stream;
typedef struct mapk_files mapk_files;
typedef struct mapk_bytes mapk_bytes;

/* MAPK_ABI_VERSION of the library loaded. */
int32_t mapk_abi_version(void);
/* The metric names, comma-separated ("map"; more as the library grows). Static. */
const char *mapk_metric_names(void);
/* The empty-row policies ("nan,skip,zero") and NaN policies ("error,largest,lowest"). Static. */
const char *mapk_empty_row_policies(void);
const char *mapk_nan_policies(void);
/* The thread count `threads = 0` stands for. */
int64_t mapk_default_threads(void);

/* The library conventions of the CLI's --like, comma-separated
 * ("tensorflow,trec_eval,ranx,torchmetrics"). Static. */
const char *mapk_conventions(void);
/* Convention `name`'s metrics (comma-separated, for mapk_options.metrics) and
 * its policy for rows without labels (for mapk_options.empty_rows), as
 * `mapk eval --like name` uses them; either out-pointer may be NULL. The
 * strings are static. MAPK_ERROR_VALUE for an unknown name. */
int32_t mapk_convention(const char *name, const char **metrics, const char **empty_rows, mapk_error *error);
/* The library's own name of `metric` at `k` under `convention` ("map_cut_10",
 * "ndcg@10"; the CLI's JSON "library_name"): its length in bytes, written
 * with a NUL into `out` when `capacity` exceeds it; 0 when the library has
 * no such metric or an argument is invalid. */
int64_t mapk_convention_metric_name(const char *convention, const char *metric, int64_t k, char *out,
                                    int64_t capacity);

/*
 * Evaluates `scores` (float16/32/64, shape [D1..DN, C], C >= 1) against
 * `labels` of the same rows, weighted by `weights` (NULL: none; float32 or
 * float64 of shape [] or broadcastable to [D1..DN], each dim equal or 1).
 *
 * `per_row` (NULL: not wanted) receives every row's value per (metric, k),
 * float64, row-major [rows, metrics x ks] in the result's pair order;
 * `per_row_capacity` is its length in doubles (at least rows x pairs).
 * On success `*result` is a new handle.
 */
int32_t mapk_evaluate(const mapk_array *scores, const mapk_labels *labels, const mapk_array *weights,
                      const mapk_options *options, double *per_row, int64_t per_row_capacity,
                      mapk_result **result, mapk_error *error);

/*
 * As mapk_evaluate, for ranked ids: `ids` is int32/int64 of shape
 * [D1..DN, K], K >= 1, each row best first (TensorFlow's predictions_idx,
 * FAISS's I), read in place; every k must be <= K. The values are
 * TensorFlow's average_precision_at_k(labels, predictions_idx=ids, k) (and
 * the other metrics' on the same ranking), a pad and a repeated id read as
 * `reading` says. The result's classes are K.
 */
int32_t mapk_evaluate_ids(const mapk_array *ids, const mapk_id_reading *reading, const mapk_labels *labels,
                          const mapk_array *weights, const mapk_options *options, double *per_row,
                          int64_t per_row_capacity, mapk_result **result, mapk_error *error);

/*
 * Exclusions (the CLI's --exclude): as mapk_evaluate and mapk_evaluate_ids,
 * with each row's classes (ids) in `exclude` removed from its ranking
 * before the top k, as the CLI removes those of an --exclude file with the
 * same bits. `exclude` is a `mapk_labels` of the same rows in any of its
 * kinds (dense ids with -1 pads, offsets + values, multi-hot), read as
 * labels are; NULL: no exclusions (then the calls are mapk_evaluate's and
 * mapk_evaluate_ids'). A label also excluded can never be retrieved.
 */
int32_t mapk_evaluate_excluding(const mapk_array *scores, const mapk_labels *labels, const mapk_labels *exclude,
                                const mapk_array *weights, const mapk_options *options, double *per_row,
                                int64_t per_row_capacity, mapk_result **result, mapk_error *error);
int32_t mapk_evaluate_ids_excluding(const mapk_array *ids, const mapk_id_reading *reading, const mapk_labels *labels,
                                    const mapk_labels *exclude, const mapk_array *weights, const mapk_options *options,
                                    double *per_row, int64_t per_row_capacity, mapk_result **result,
                                    mapk_error *error);

/*
 * As mapk_evaluate_excluding, for CSR sparse `scores` (the rows' shape is
 * [rows]; multi-hot labels or exclusions are [rows, width]). Each row is
 * ranked among its stored entries only, as the CLI ranks a scores .npz.
 */
int32_t mapk_evaluate_sparse(const mapk_sparse_scores *scores, const mapk_labels *labels, const mapk_labels *exclude,
                             const mapk_array *weights, const mapk_options *options, double *per_row,
                             int64_t per_row_capacity, mapk_result **result, mapk_error *error);

/*
 * The Poisson bootstrap percentile interval of `mapk eval --ci level
 * --bootstrap replicates --seed seed`, for each of `pairs` (metric, k) pairs,
 * from the per-row values an evaluation wrote into `per_row` ([rows, pairs],
 * the rows being those of `row_shape`, `row_rank` dims) and the same
 * `weights` (NULL: none): the bounds, into `lower` and `upper` (`pairs`
 * doubles each), have the CLI's bits for the same rows. A row whose value
 * is NaN adds nothing; when the metric itself is NaN (rows without labels
 * under the "nan" policy) the CLI reports NaN bounds, which is the caller's
 * to apply (mapk_result_empty_rows > 0). 0 < level < 1; 1 <= replicates <= 2^20.
 * For the means only (mapk_result_pooled 0): a pooled metric's (precision,
 * recall: sum w*hits / sum w*n) replicates need its rows' numerators and
 * denominators, not their ratios, which this function is not given; for
 * arrays in memory, feed them to a stream made by mapk_stream_create_ci
 * (first_row 0, one batch: the CLI's bits), or use mapk_files_evaluate_ci.
 */
int32_t mapk_bootstrap_intervals(const double *per_row, int64_t rows, int64_t pairs, const int64_t *row_shape,
                                 int32_t row_rank, const mapk_array *weights, double level, int64_t replicates,
                                 uint64_t seed, int64_t threads, double *lower, double *upper, mapk_error *error);

/* The number of (metric, k) pairs of `mapk_options.metrics` x `ks` (for sizing `per_row`). */
int32_t mapk_pair_count(const mapk_options *options, int64_t *count, mapk_error *error);

/* A result: the counts of the run and, per (metric, k) pair i (metric-major,
 * metrics in the library's order, ks ascending), the value and its sums. */
int64_t mapk_result_rows(const mapk_result *result);
int64_t mapk_result_classes(const mapk_result *result);  /* a stream: its last batch's (0 before any, or once decoded) */
int64_t mapk_result_threads(const mapk_result *result);
int64_t mapk_result_empty_rows(const mapk_result *result);
int64_t mapk_result_nan_scores(const mapk_result *result);
/* The bytes of the inputs read (arrays in memory: their sizes; files: the file sizes). */
int64_t mapk_result_bytes(const mapk_result *result);
/* Wall seconds of the call (for files, from opening them, as the CLI). */
double mapk_result_seconds(const mapk_result *result);
/* The policies' names; valid as long as the handle. */
const char *mapk_result_empty_rows_policy(const mapk_result *result);
const char *mapk_result_nan_policy(const mapk_result *result);
int64_t mapk_result_count(const mapk_result *result);
/* Pair i (0 <= i < count): NULL, 0 or NaN when out of range. */
const char *mapk_result_metric(const mapk_result *result, int64_t i);
int64_t mapk_result_k(const mapk_result *result, int64_t i);
/* total / max, correctly rounded from the exact sums (NaN as TensorFlow gives it). */
double mapk_result_value(const mapk_result *result, int64_t i);
double mapk_result_total(const mapk_result *result, int64_t i);
double mapk_result_max(const mapk_result *result, int64_t i);
/* The level of the result's bootstrap intervals (mapk_files_evaluate_ci, a
 * stream made by mapk_stream_create_ci), NaN when it has none. */
double mapk_result_ci_level(const mapk_result *result);
/* Pair i's interval into *lower and *upper (NaN bounds when the value is
 * NaN, as the CLI prints null): 1, or 0 (nothing written) when the result
 * has no intervals or i is out of range. */
int32_t mapk_result_interval(const mapk_result *result, int64_t i, double *lower, double *upper);
/* 1 when pair i's metric is pooled (its total and max are a numerator and a
 * denominator over all rows, as the CLI's JSON "numerator", "denominator"),
 * 0 for a weighted mean of per-row values (or i out of range). */
int32_t mapk_result_pooled(const mapk_result *result, int64_t i);
void mapk_result_free(mapk_result *result);

/*
 * Files, memory-mapped as the CLI maps them: predictions `.npy`; labels
 * `.npy` (dense), `.txt` or `.npz` (CSR), `label_format` "dense", "text",
 * "csr" or NULL (from the extension); weights `.npy` or NULL.
 */
int32_t mapk_files_open(const char *predictions, const char *labels, const char *weights,
                        const char *label_format, int64_t threads, mapk_files **files, mapk_error *error);
/* As mapk_files_open, `label_format` also "multihot" (as the CLI's
 * --labels-format); predictions of int32/int64 ranked ids are read as
 * `reading` says (not NULL), which is MAPK_ERROR_VALUE for a scores file
 * (as the CLI refuses --pad-id there). mapk_files_open reads ranked ids with
 * the default reading. */
int32_t mapk_files_open_ids(const char *predictions, const char *labels, const char *weights,
                            const char *label_format, const mapk_id_reading *reading, int64_t threads,
                            mapk_files **files, mapk_error *error);
/* As mapk_files_open_ids with `reading` NULL meaning mapk_files_open, and
 * `exclude` (NULL: none) the CLI's --exclude file: classes to remove from
 * each row's ranking, in any labels format (from its extension), one row
 * per row. */
int32_t mapk_files_open_excluding(const char *predictions, const char *labels, const char *weights,
                                  const char *label_format, const char *exclude, const mapk_id_reading *reading,
                                  int64_t threads, mapk_files **files, mapk_error *error);
/* The rows and the rows' shape [D1..DN] (the predictions' shape without C). */
int64_t mapk_files_rows(const mapk_files *files);
int64_t mapk_files_classes(const mapk_files *files);
int32_t mapk_files_row_rank(const mapk_files *files);
int64_t mapk_files_row_dim(const mapk_files *files, int32_t i);
/* As mapk_evaluate, over the opened files (their sizes are checked again after the run). */
int32_t mapk_files_evaluate(const mapk_files *files, const mapk_options *options, double *per_row,
                            int64_t per_row_capacity, mapk_result **result, mapk_error *error);
/* As mapk_files_evaluate, with `mapk eval --ci level --bootstrap replicates
 * --seed seed`'s interval for every pair (mapk_result_interval), with the
 * CLI's bits. The per-row values are evaluated in blocks of bounded memory
 * when `per_row` is NULL. A pooled metric (precision, recall) bootstraps
 * its ratio (its replicates sum c*w*hits and c*w*n apart), as the CLI's,
 * and its bounds are numbers under the "nan" policy too (the ratio takes
 * rows without labels as they come). 0 < level < 1; 1 <= replicates <= 2^20. */
int32_t mapk_files_evaluate_ci(const mapk_files *files, const mapk_options *options, double level,
                               int64_t replicates, uint64_t seed, double *per_row, int64_t per_row_capacity,
                               mapk_result **result, mapk_error *error);
void mapk_files_free(mapk_files *files);

/*
 * The streaming metric: an exact state that batches are added to and that
 * merges with other streams of the same options (metrics, ks, policies),
 * with the same bits as one evaluation of all the rows, in any order.
 */
int32_t mapk_stream_create(const mapk_options *options, mapk_stream **stream, mapk_error *error);
/* Adds a batch (evaluated with the stream's threads); on error the state is unchanged. */
int32_t mapk_stream_update(mapk_stream *stream, const mapk_array *scores, const mapk_labels *labels,
                           const mapk_array *weights, mapk_error *error);
/* Adds a batch of ranked ids (as mapk_evaluate_ids); batches of scores and of ids may be mixed. */
int32_t mapk_stream_update_ids(mapk_stream *stream, const mapk_array *ids, const mapk_id_reading *reading,
                               const mapk_labels *labels, const mapk_array *weights, mapk_error *error);
/* As mapk_stream_update and mapk_stream_update_ids, with `exclude` (NULL:
 * none) as in mapk_evaluate_excluding. */
int32_t mapk_stream_update_excluding(mapk_stream *stream, const mapk_array *scores, const mapk_labels *labels,
                                     const mapk_labels *exclude, const mapk_array *weights, mapk_error *error);
int32_t mapk_stream_update_ids_excluding(mapk_stream *stream, const mapk_array *ids, const mapk_id_reading *reading,
                                         const mapk_labels *labels, const mapk_labels *exclude,
                                         const mapk_array *weights, mapk_error *error);
/* Adds a batch of CSR sparse scores (as mapk_evaluate_sparse). */
int32_t mapk_stream_update_sparse(mapk_stream *stream, const mapk_sparse_scores *scores, const mapk_labels *labels,
                                  const mapk_labels *exclude, const mapk_array *weights, mapk_error *error);
/*
 * A stream that also keeps `mapk eval --ci level --bootstrap replicates
 * --seed seed`'s bootstrap: its results carry the intervals
 * (mapk_result_interval). The bootstrap counts are keyed by each row's
 * global index: the stream's rows are numbered from `first_row`, in update
 * order (a batch's rows row-major; a merge adds the other stream's rows to
 * the count, and a reset starts again from `first_row`). A stream over rows [0, n) merged with
 * one created with first_row = n over rows [n, m) has the bits of
 * `mapk eval --ci` over rows [0, m) (the CLI's shards are numbered so).
 * Merging needs the same level, replicates and seed on both sides (or no
 * bootstrap on either). The state's bytes (mapk_stream_encode) do not carry
 * the bootstrap: encoding such a stream is MAPK_ERROR_VALUE. A pooled metric
 * (precision, recall) bootstraps its ratio, as mapk_files_evaluate_ci's; a
 * stream with one and a stream without are different bootstraps (no merge).
 */
int32_t mapk_stream_create_ci(const mapk_options *options, double level, int64_t replicates, uint64_t seed,
                              int64_t first_row, mapk_stream **stream, mapk_error *error);
/* Adds `other`'s rows to `stream` (MAPK_ERROR_VALUE for other options). */
int32_t mapk_stream_merge(mapk_stream *stream, const mapk_stream *other, mapk_error *error);
int32_t mapk_stream_result(const mapk_stream *stream, mapk_result **result, mapk_error *error);
/* Forgets every row. */
void mapk_stream_reset(mapk_stream *stream);
void mapk_stream_free(mapk_stream *stream);
/* The state's bytes: a JSON object with the exact sums in hexadecimal (the
 * encoding of mapk's state files), the same bytes for the same state. */
int32_t mapk_stream_encode(const mapk_stream *stream, mapk_bytes **bytes, mapk_error *error);
/* A stream from encoded bytes, every field checked; `threads` as in mapk_options. */
int32_t mapk_stream_decode(const uint8_t *data, int64_t size, int64_t threads, mapk_stream **stream,
                           mapk_error *error);
const uint8_t *mapk_bytes_data(const mapk_bytes *bytes);
int64_t mapk_bytes_size(const mapk_bytes *bytes);
void mapk_bytes_free(mapk_bytes *bytes);

#ifdef __cplusplus
}
#endif

#endif /* MAPK_H */
