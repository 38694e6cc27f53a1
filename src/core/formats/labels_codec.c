/*
 * labels_codec.c: a classifier's labels in the artifact and the document
 * (see labels_codec.h).
 */
#include "labels_codec.h"

#include <math.h>
#include <string.h>

void
mm_labels_write(MmBuffer *w, const MmLabels *l)
{
	int			i;

	mm_put_u8(w, (uint8_t) l->label_kind);
	mm_put_u32(w, (uint32_t) l->n_classes);
	for (i = 0; i < l->n_classes; i++)
	{
		mm_put_str(w, l->classes[i]);
		if (l->label_kind != MM_LABEL_TEXT)
			mm_put_f64(w, l->class_values[i]);
	}
}

int
mm_labels_read(MmArtifactReader *r, MmLabels *l)
{
	uint8_t		kind = mm_get_u8(r);
	uint32_t	k = mm_get_u32(r);
	int			i,
				j;

	if (r->failed || kind < MM_LABEL_NUMBER || kind > MM_LABEL_TEXT || k < 2 || k > MM_MAX_CLASSES)
		return 0;
	l->label_kind = (MmLabelKind) kind;
	l->n_classes = (int) k;
	l->classes = mm_alloc0(sizeof(char *) * k);
	if (l->classes == NULL)
		return 0;
	if (kind != MM_LABEL_TEXT && (l->class_values = mm_alloc(sizeof(double) * k)) == NULL)
		return 0;
	for (i = 0; i < (int) k; i++)
	{
		if ((l->classes[i] = mm_get_string(r, kind == MM_LABEL_TEXT)) == NULL)
			return 0;
		if (kind != MM_LABEL_TEXT && !isfinite(l->class_values[i] = mm_get_f64(r)))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(l->classes[j], l->classes[i]) == 0)
				return 0;
	}
	return 1;
}

static const char *
label_kind_name(int kind)
{
	return kind == MM_LABEL_BOOLEAN ? "boolean" : kind == MM_LABEL_TEXT ? "text" : "number";
}

void
mm_labels_to_json(MmBuffer *o, const MmLabels *l)
{
	mm_out_str(o, "\"label_kind\": ");
	mm_out_string(o, label_kind_name(l->label_kind));
	mm_out_str(o, ", \"classes\": ");
	mm_out_names(o, l->classes, l->n_classes);
	mm_out_str(o, ", \"class_values\": ");
	if (l->label_kind == MM_LABEL_TEXT)
		mm_out_str(o, "null");
	else
		mm_out_doubles(o, l->class_values, l->n_classes);
}

MmErrorCode
mm_labels_from_json(MmDocumentReader *in, const void *part, MmLabels *l)
{
	const char *lk = mm_doc_string(in, part, "label_kind");

	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	l->label_kind = strcmp(lk, "text") == 0 ? MM_LABEL_TEXT :
		strcmp(lk, "boolean") == 0 ? MM_LABEL_BOOLEAN :
		strcmp(lk, "number") == 0 ? MM_LABEL_NUMBER : 0;
	if (l->label_kind == 0)
	{
		mm_doc_bad(in, "must be number, boolean or text", "label_kind");
		return MM_ERR_INVALID_INPUT;
	}
	l->classes = mm_doc_names(in, part, "classes", &l->n_classes, MM_MAX_CLASSES, 0);
	if (in->failed)
		return MM_ERR_INVALID_INPUT;
	if (l->label_kind == MM_LABEL_TEXT)
	{
		if (!mm_doc_is_null(part, "class_values"))
			mm_doc_bad(in, "must be null for text labels", "class_values");
	}
	else
		l->class_values = mm_doc_numbers(in, part, "class_values", l->n_classes, 0);
	return in->failed ? MM_ERR_INVALID_INPUT : MM_OK;
}
