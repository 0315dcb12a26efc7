/* cmd_export.c: lwq export (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("export", "not implemented yet");
}
