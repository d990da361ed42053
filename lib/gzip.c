// SPDX-License-Identifier: MIT
/* Placeholder until the gzip decoder lands: refuses every input. */
#include "kd.h"

enum kd_err kd_gzip_decode(struct kd_job *job)
{
	job->in_used = 0;
	job->out_len = 0;
	KD_FAIL(job, KD_ERR_UNSUPPORTED, "the gzip decoder is not written yet");
}

size_t kd_gzip_heap_size(void)
{
	return 0;
}
