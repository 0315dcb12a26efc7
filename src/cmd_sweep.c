/* cmd_sweep.c: lwq sweep (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_sweep(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("sweep", "not implemented yet");
}
