using Skein.Cli;

StartupTrace.Mark("main");
var exitCode = await SkeinCommand.InvokeAsync(args);
StartupTrace.Mark("exit");
return exitCode;
