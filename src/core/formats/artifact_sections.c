/*
 * artifact_sections.c: the optional sections of an artifact (see
 * artifact_sections.h).
 */
#include "artifact_sections.h"

#include "datepart.h"

/* True when the model needs any section (see artifact_sections.h). */
int
mm_artifact_needs_sections(const MmModel *model)
{
	return model->date_parts != NULL;
}

/*
 * The date parts section: a byte per feature, the MmDatePart of a date part
 * feature and 0 for any other.
 */
static void
write_date_parts(MmBuffer *body, const MmModel *model)
{
	int			j;

	mm_put_u8(body, MM_SECTION_DATE_PARTS);
	mm_put_u32(body, (uint32_t) model->n_features);
	for (j = 0; j < model->n_features; j++)
		mm_put_u8(body, model->date_parts[j]);
}

/* Appends the sections the model needs (see artifact_sections.h). */
void
mm_artifact_write_sections(MmBuffer *body, const MmModel *model)
{
	if (model->date_parts != NULL)
		write_date_parts(body, model);
}

/* Reads the date parts section of len bytes. */
static int
read_date_parts(MmArtifactReader *r, MmModel *model, uint32_t len)
{
	int			j;

	if (model->date_parts != NULL || len != (uint32_t) model->n_features)
		return 0;
	model->date_parts = mm_alloc0((size_t) model->n_features);
	if (model->date_parts == NULL)
		return 0;
	for (j = 0; j < model->n_features && !r->failed; j++)
		model->date_parts[j] = mm_get_u8(r);
	return !r->failed;
}

/* Reads the sections to the end of the body (see artifact_sections.h). */
int
mm_artifact_read_sections(MmArtifactReader *r, MmModel *model)
{
	int			j;

	while (r->format >= MM_ARTIFACT_FORMAT_SECTIONS && r->left > 0 && !r->failed)
	{
		uint8_t		tag = mm_get_u8(r);
		uint32_t	len = mm_get_u32(r);

		if (r->failed || len > r->left)
			return 0;
		switch (tag)
		{
			case MM_SECTION_DATE_PARTS:
				if (!read_date_parts(r, model, len))
					return 0;
				break;
			default:
				return 0;
		}
	}
	/* a part names each feature of a date, and nothing else */
	for (j = 0; j < model->n_features; j++)
	{
		int			part = model->date_parts != NULL ? model->date_parts[j] : 0;

		if ((model->feature_kinds[j] == MM_FEATURE_DATE_PART) !=
			(mm_date_part_name(part) != NULL))
			return 0;
	}
	return !r->failed;
}
