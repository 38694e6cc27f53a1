/*
 * model.h: a trained model as the core holds it in memory, and prediction.
 *
 * A model is self-contained: it names its features and their kinds in the
 * order prediction expects them, so that an artifact read back anywhere (the
 * server's cache, the standalone scorer) predicts without the catalog.
 */
#ifndef MM_MODEL_H
#define MM_MODEL_H

#include <stdint.h>

#include "mmcore.h"

typedef enum MmTask
{
	MM_TASK_REGRESSION = 1,
	MM_TASK_CLASSIFICATION = 2,
	MM_TASK_CLUSTERING = 3,
	MM_TASK_DECOMPOSITION = 4
} MmTask;

typedef enum MmFeatureKind
{
	MM_FEATURE_NUMERIC = 1,		/* any SQL number, read as a double */
	MM_FEATURE_BOOLEAN = 2,		/* false = 0, true = 1 */
	MM_FEATURE_CATEGORICAL = 3,	/* text, read as the code of its category */
	MM_FEATURE_DATE_PART = 4	/* a part of a date or timestamp column, a number (datepart.h) */
} MmFeatureKind;

/* How a categorical feature enters the model. */
typedef enum MmEncoding
{
	MM_ENCODE_ONEHOT = 1,		/* a 0/1 column per category */
	MM_ENCODE_ORDINAL = 2		/* one column: the category's position */
} MmEncoding;

/*
 * The categories of a text feature seen in training.  The kept ones are
 * coded 0 .. n-1 in their byte order (C collation); the rarer ones beyond
 * max_categories share the code n, "other"; a category never seen in
 * training is MM_CATEGORY_UNSEEN, which one-hot encodes as all zeros.
 *
 * Reference (treatment) coding, for unpenalized fits with an intercept:
 * the one-hot columns of every category but the reference, which encodes
 * as all zeros, so that the columns no longer add up to the intercept's
 * and every coefficient is identified (relative to the reference).  An
 * unseen category then encodes as 1/L in each of the feature's columns (L
 * its levels, the other group included): the average of the levels, which
 * is what the full one-hot least-squares fit predicted for it, and not the
 * reference's all zeros.
 */
typedef struct MmCategories
{
	MmEncoding	encoding;
	int			n;
	char	  **names;
	int			n_other;
	char	  **other;
	int			has_reference;	/* one-hot only: reference coding */
	int			reference;		/* the code of the reference, in [0, n) */
} MmCategories;

#define MM_CATEGORY_UNSEEN (-1.0)

/* Most categories one feature may have, kept and other together. */
#define MM_MAX_CATEGORIES 100000

/* Most columns the inputs of a model may encode into. */
#define MM_MAX_DESIGN 100000

/* How a classifier's labels are typed in SQL, which decides what mm_predict returns. */
typedef enum MmLabelKind
{
	MM_LABEL_NUMBER = 1,		/* an integer type: mm_predict returns the label */
	MM_LABEL_BOOLEAN = 2,		/* false and true: mm_predict returns 0 or 1 */
	MM_LABEL_TEXT = 3			/* mm_predict refuses; mm_predict_label answers */
} MmLabelKind;

/*
 * Preprocessing of one numeric input, fitted on the training part:
 * a missing value becomes impute (an error when impute is NaN), the value is
 * clipped to [clip_lo, clip_hi], then centered and divided by scale.
 */
typedef struct MmFeatureTransform
{
	double		impute;
	double		clip_lo;
	double		clip_hi;
	double		center;
	double		scale;
} MmFeatureTransform;

/*
 * A classifier's labels: the task's, not an algorithm's, so that what lists
 * or maps classes never reaches into an algorithm's payload.
 */
typedef struct MmLabels
{
	int			n_classes;
	char	  **classes;		/* as label::text renders them, in sort order */
	double	   *class_values;	/* numeric and boolean labels as numbers; NULL for text */
	MmLabelKind label_kind;
} MmLabels;

/*
 * A linear classifier over the transformed inputs (the payload of logistic
 * regression and the linear SVM).  Binary models have one row of
 * coefficients (the decision for the last class); multinomial models one per
 * class, whose softmax gives the probabilities.
 */
typedef struct MmClassifier
{
	int			n_rows;			/* 1 (binary) or n_classes */
	double	   *intercept;		/* n_rows */
	double	   *coef;			/* n_rows x n_features, row-major */
	/* per row: intercept, then each feature; NaN where undefined */
	double	   *std_err;
	double	   *stat;
	double	   *p_value;
	/* how it was fitted */
	double		alpha;			/* the penalty: alpha (logistic), C (linear SVM) */
	int			variant;		/* linear SVM: 1 for the squared hinge loss */
	int			fit_intercept;
	int			balanced;
	int			max_iter;
	double		tol;
	int			n_iter;
	int			converged;
	int			separated;		/* the fit's own record, not stored: no finite optimum */
} MmClassifier;

/* k-means: the centers of the clusters, in the transformed units. */
typedef struct MmKMeans
{
	int			k;
	double	   *centers;		/* k x n_features, row-major */
	double		inertia;		/* on the training rows */
	int			max_iter;
	double		tol;
	int32_t		seed;
	int			n_iter;
	int			converged;
} MmKMeans;

/* Principal components: the directions of largest variance, largest first. */
typedef struct MmPCA
{
	int			n_components;
	double	   *mean;			/* n_features */
	double	   *components;		/* n_components x n_features, unit rows */
	double	   *explained_variance;	/* n_components */
	double	   *explained_variance_ratio;	/* n_components */
} MmPCA;

/* A linear model y = intercept + coef . x, with its inference statistics. */
typedef struct MmLinearModel
{
	int			fit_intercept;
	double		alpha;			/* L2 penalty it was fitted with */
	double		intercept;
	double	   *coef;			/* n_features */
	int			rank;			/* of the design, without the intercept */
	double		df_resid;		/* residual degrees of freedom */
	/* intercept first, then each feature; NaN where undefined */
	double	   *std_err;
	double	   *stat;
	double	   *p_value;
} MmLinearModel;

struct MmAlgorithm;

/*
 * A model: what every algorithm shares (inputs, preprocessing, labels), its
 * algorithm's table (algorithm.h) and the algorithm's own payload, fit,
 * which only the algorithm's operations read.
 */
typedef struct MmModel
{
	const struct MmAlgorithm *algorithm;
	MmTask		task;
	int			n_features;
	char	  **feature_names;
	uint8_t    *feature_kinds;	/* MmFeatureKind */
	/* n_features: the MmDatePart of each date part feature, 0 elsewhere; NULL without any */
	uint8_t    *date_parts;
	char	   *target;
	MmCategories *categories;	/* n_features, used where the kind is categorical; or NULL */
	int			n_design;		/* the columns the inputs encode into */
	MmFeatureTransform *transform;	/* n_features, or NULL: inputs as they are */
	MmLabels	labels;			/* classification; zero otherwise */
	void	   *fit;			/* the algorithm's payload (MmLinearModel, MmClassifier, ...) */
} MmModel;

/* Largest number of classes a classifier may have, and of k-means clusters. */
#define MM_MAX_CLASSES 1000
#define MM_MAX_CLUSTERS 10000

/* Name of a task as SQL spells it, or NULL. */
extern const char *mm_task_name(MmTask task);

/* A linear prediction, accumulated in feature order (the scorer repeats it). */
extern double mm_linear_predict(const MmLinearModel *m, int n, const double *x);

/* intercept + coef . x, accumulated in feature order: every linear form's prediction. */
extern double mm_linear_form_predict(double intercept, const double *coef, int n, const double *x);

/*
 * Applies the model's preprocessing to one row of raw values (NaN for a
 * missing one, category codes for text features) into z, n_design values:
 * numbers are imputed, clipped, centered and scaled; categories imputed and
 * encoded.  Returns MM_OK, or an error whose item names the feature: a
 * missing value the model does not impute, or a value that is not finite
 * after the transform.  z must not overlap x.
 */
extern MmErrorCode mm_model_transform(const MmModel *model, const double *x, double *z,
									  MmError *err);

/* The number of columns a model's inputs encode into (sets nothing). */
extern int	mm_model_design_width(const MmModel *model);

/*
 * The code of a text value among a feature's categories: its position, n
 * for one of the rarer ones, MM_CATEGORY_UNSEEN for one never seen.
 */
extern double mm_category_code(const MmCategories *c, const char *value, size_t len);

/*
 * The position of value (len bytes) among n names sorted byte by byte
 * (shorter first on a tie, as C collation sorts them), or -1.
 */
extern int	mm_sorted_name_index(char *const *names, int n, const char *value, size_t len);

/*
 * Which input a design column comes from, and for a one-hot column which
 * category (n: other; never a reference, which has no column); *category is
 * -1 for numeric and ordinal columns.
 */
extern int	mm_design_feature(const MmModel *model, int column, int *category);

/* The centering and scaling of each design column (0 and 1 where none). */
extern void mm_model_design_scaling(const MmModel *model, double *center, double *scale);

/*
 * Prediction through the model's algorithm.  The scores are what the
 * algorithm computes from a transformed row (a regression's value, a
 * classifier's decision per coefficient row, k-means' squared distances);
 * the prediction, the class and the probabilities follow from them alone,
 * so a caller that needs several computes the scores once.
 */

/* How many scores a row has (0: none, as for PCA). */
extern int	mm_model_n_scores(const MmModel *model);

/* The scores of a transformed row, into scores[mm_model_n_scores]. */
extern void mm_model_scores(const MmModel *model, const double *z, double *scores);

/* What the scores decide: the value, the class index or the cluster; NaN without scores. */
extern double mm_model_decide(const MmModel *model, const double *scores);

/* The prediction from the scores: the value, a classifier's label as a number, the cluster. */
extern double mm_model_prediction(const MmModel *model, const double *scores);

/* Predicts from a transformed row: the value, or a classifier's label as a number. */
extern double mm_model_predict(const MmModel *model, const double *z);

/* The class index (classifiers) or cluster (k-means) of a transformed row. */
extern int	mm_model_class(const MmModel *model, const double *z);

/* True for models that give class probabilities. */
extern int	mm_model_has_proba(const MmModel *model);

/*
 * The probability of each class the scores give, into proba[labels.n_classes];
 * returns how many it wrote, 0 for models without probabilities.  proba may
 * be scores.
 */
extern int	mm_model_proba(const MmModel *model, const double *scores, double *proba);

/* How many coordinates mm_model_project writes (0: none). */
extern int	mm_model_n_coordinates(const MmModel *model);

/*
 * The row in the model's own coordinates, into out: its principal
 * components (PCA) or its distances to the cluster centers (k-means).
 * Returns how many values it wrote, 0 for models without such coordinates.
 */
extern int	mm_model_project(const MmModel *model, const double *z, double *out);

/* Frees a classifier's labels (built with the core allocator). */
extern void mm_labels_free(MmLabels *labels);

/* One coefficient of a fitted model, as mm_coefficients lists it. */
typedef struct MmCoefficient
{
	int			row;			/* coefficient row: the class for multinomial models, else 0 */
	int			column;			/* -1 for the intercept, else the design column */
	double		value;
	double		std_err;		/* NaN where undefined */
	double		stat;
	double		p_value;
	/*
	 * the degrees of freedom of the t distribution stat follows under the
	 * null, from which the confidence interval takes its quantile: INFINITY
	 * for a z statistic (normal)
	 */
	double		df;
} MmCoefficient;

/*
 * The confidence interval at level (in (0, 1)) of each of n coefficients,
 * value -+ the two-sided quantile of its distribution times its standard
 * error, into lower and upper: NaN where the standard error is.
 */
extern void mm_coefficient_intervals(const MmCoefficient *co, int n, double level, double *lower,
									 double *upper);

/*
 * One row of a linear form's coefficients over the design (row r of a
 * model with several), in the units of the raw inputs: each slope divided
 * by its column's scale, the intercept less each such slope times the
 * column's center (clipping is not undone: the coefficients hold within the
 * clip range).  Writes the intercept first when with_intercept, then the
 * n_design slopes, into out, with the statistics given (n_design + 1 each,
 * intercept first) or NaN where they are NULL, and the statistics' degrees
 * of freedom df (see MmCoefficient).  Returns how many it wrote, or -1 when
 * out of memory.
 */
extern int	mm_linear_terms(const MmModel *model, int r, double intercept, const double *coef,
							int with_intercept, const double *std_err, const double *stat,
							const double *p_value, double df, MmCoefficient *out);

/*
 * The coefficients of a model with one linear form, as mm_linear_terms
 * writes them, into *out allocated here; returns how many (0, *out NULL,
 * when out of memory).
 */
extern int	mm_linear_coefficients(const MmModel *model, double intercept, const double *coef,
								   int with_intercept, const double *std_err, const double *stat,
								   const double *p_value, double df, MmCoefficient **out);

/* Frees a model built with the core allocator. */
extern void mm_model_free(MmModel *model);

#endif							/* MM_MODEL_H */
