using Skein.Cli;

return await SkeinCommand.InvokeAsync(args);
