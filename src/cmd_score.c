/* cmd_score.c: lwq score (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_score(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("score", "not implemented yet");
}
