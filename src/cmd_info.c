/* cmd_info.c: lwq info (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("info", "not implemented yet");
}
