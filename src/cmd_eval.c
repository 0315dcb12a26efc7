/* cmd_eval.c: lwq eval (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_eval(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("eval", "not implemented yet");
}
