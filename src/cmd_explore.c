/* cmd_explore.c: lwq explore (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_explore(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("explore", "not implemented yet");
}
