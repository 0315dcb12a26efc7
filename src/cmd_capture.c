/* cmd_capture.c: lwq capture (not implemented yet). */
#include "cli.h"
#include "commands.h"

int cmd_capture(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("capture", "not implemented yet");
}
