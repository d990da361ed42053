// SPDX-License-Identifier: MIT
/* Placeholder until the packer lands. */
#include "tools.h"

int cmd_pack(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	die("pack: not written yet");
}
