/* cmd_plan.c: lwq plan (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("plan", "not implemented yet");
}
