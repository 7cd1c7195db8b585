using System.Text.Json;
using Skein.Cluster.Apps;

namespace Skein.Cli.Commands;

/// <summary>The table of <c>skein app list</c>: every known or running app, what it needs, whether it runs and where.</summary>
internal static class AppTable
{
    public static void Write(AppCatalog catalog, IReadOnlyDictionary<string, RunningApp> running, bool json, TextWriter output, TextWriter error)
    {
        foreach (var broken in catalog.Invalid)
            foreach (var problem in broken.Problems) error.WriteLine(problem);
        foreach (var (name, files) in catalog.Duplicates)
            error.WriteLine($"skein: warning: app '{name}' is defined by {files.Count} files: {string.Join(", ", files)}");

        var rows = new List<string[]> { new[] { "APP", "DEPENDS-ON", "STATE", "NODES", "FILE" } };
        var names = catalog.Names.Concat(running.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (json)
        {
            ListFormat.Write(output, writer => WriteJson(writer, names, catalog, running));
            return;
        }
        foreach (var name in names)
        {
            var app = catalog.Find(name);
            running.TryGetValue(name, out var live);
            var dependsOn = app is null ? "?" : app.DependsOn.Count == 0 ? "-" : string.Join(",", app.DependsOn.Select(d => d.Name));
            rows.Add([name, dependsOn, State(app, live), live is null ? "-" : string.Join(",", live.Nodes), app?.File ?? "-"]);
        }
        if (rows.Count == 1) output.WriteLine("no apps are known or running; add folders of apps with --app-dir or " + AppCommand.AppPathVariable);
        else TextTable.Write(rows, output);
    }

    /// <summary>
    /// <c>{"apps": [{"name", "dependsOn": [] (null for a running app no file describes), "state", "nodes": [],
    /// "file"}]}</c>; problems with app files go to stderr, as with the table.
    /// </summary>
    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<string> names, AppCatalog catalog, IReadOnlyDictionary<string, RunningApp> running)
    {
        json.WriteStartObject();
        json.WriteStartArray("apps");
        foreach (var name in names)
        {
            var app = catalog.Find(name);
            running.TryGetValue(name, out var live);
            json.WriteStartObject();
            ListFormat.String(json, "name", name);
            if (app is null) json.WriteNull("dependsOn");
            else ListFormat.Strings(json, "dependsOn", app.DependsOn.Select(d => d.Name));
            json.WriteString("state", State(app, live));
            ListFormat.Strings(json, "nodes", live?.Nodes ?? []);
            ListFormat.String(json, "file", app?.File);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>running, stopped, or partial (some of its modules are loaded: a failed unload, or one unloaded by hand).</summary>
    private static string State(AppManifest? app, RunningApp? live)
    {
        if (live is null) return "stopped";
        if (app is null) return "running";
        var loaded = app.Modules.Count(m => live.Modules.Any(l => l.Name == m.Name));
        return loaded >= app.Modules.Count ? "running" : $"partial({loaded}/{app.Modules.Count})";
    }
}
