using Skein.Cluster.Modules.Isolated;

return await ModuleHostProgram.RunAsync(args).ConfigureAwait(false);
