using Skein.Cluster.ModuleHost;

return await ModuleHostProgram.RunAsync(args).ConfigureAwait(false);
