/* cmd_heatmap.c: lwq heatmap (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_heatmap(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("heatmap", "not implemented yet");
}
