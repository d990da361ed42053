// SPDX-License-Identifier: MIT
/* Placeholder until the bzip2 decoder lands: refuses every input. */
#include "kd.h"

enum kd_err kd_bzip2_decode(struct kd_job *job)
{
	job->in_used = 0;
	job->out_len = 0;
	KD_FAIL(job, KD_ERR_UNSUPPORTED, "the bzip2 decoder is not written yet");
}

size_t kd_bzip2_heap_size(void)
{
	return 0;
}
