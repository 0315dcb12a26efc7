/* cmd_import.c: lwq import (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("import", "not implemented yet");
}
