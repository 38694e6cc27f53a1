/*
 * Fuzz target: the binary artifact reader (artifact.h).
 *
 * The first input byte chooses how the rest reaches the reader.  Even: as
 * it is, so the header checks (magic, lengths, checksum) are exercised.
 * Odd: as a format byte, an algorithm byte and an uncompressed body, which
 * this target compresses and wraps in a header with the right lengths and
 * checksum, so mutations reach the body's parser instead of failing the
 * checksum.  A model read is written again and must read back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "artifact.h"
#include "artifact_sections.h"

static void
check_model(MmModel *m)
{
	uint8_t    *bytes;
	size_t		n;
	MmModel    *again;
	MmError		err;

	if (mm_artifact_write(m, &bytes, &n, &err) != MM_OK)
		abort();
	if (mm_artifact_read(bytes, n, &again, &err) != MM_OK)
		abort();
	mm_model_free(again);
	mm_free(bytes);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MmModel    *m = NULL;
	MmError		err;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
	{
		if (mm_artifact_read(data + 1, size - 1, &m, &err) == MM_OK)
			check_model(m);
	}
	else if (size >= 4)
	{
		const uint8_t *body = data + 3;
		uLong		body_len = (uLong) (size - 3);
		uLongf		zlen = compressBound(body_len);
		uint8_t    *buf = malloc(MM_ARTIFACT_HEADER + zlen);
		uint32_t	crc;
		int			i;

		if (buf == NULL || compress2(buf + MM_ARTIFACT_HEADER, &zlen, body, body_len, 1) != Z_OK)
		{
			free(buf);
			return 0;
		}
		memcpy(buf, "MMDL", 4);
		/* every format this build reads, the sections of format 3 included */
		buf[4] = data[1] % (MM_ARTIFACT_FORMAT_MAX + 1);
		buf[5] = 0;
		buf[6] = data[2];
		buf[7] = 0;
		for (i = 0; i < 4; i++)
		{
			buf[8 + i] = 0;
			buf[12 + i] = (uint8_t) (body_len >> (8 * i));
			buf[16 + i] = (uint8_t) (zlen >> (8 * i));
		}
		crc = (uint32_t) crc32(0L, buf, 20);
		crc = (uint32_t) crc32(crc, buf + MM_ARTIFACT_HEADER, (uInt) zlen);
		for (i = 0; i < 4; i++)
			buf[20 + i] = (uint8_t) (crc >> (8 * i));
		if (mm_artifact_read(buf, MM_ARTIFACT_HEADER + zlen, &m, &err) == MM_OK)
			check_model(m);
		free(buf);
	}
	if (m != NULL)
		mm_model_free(m);
	return 0;
}
