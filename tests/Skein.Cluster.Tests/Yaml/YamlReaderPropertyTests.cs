using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Skein.Cluster.Apps;
using Skein.Modules.Manifests;
using Skein.Engine.JobFiles;

namespace Skein.Cluster.Tests.Yaml;

/// <summary>
/// Generated malformed input for the three YAML readers (job files, module.yaml, app.yaml): random bytes, token soup,
/// deep nesting, huge scalars and random mutations of valid files. Whatever comes in, a reader only reports problems:
/// it never throws anything else, never hangs, and never allocates far beyond the size of its input. The case counts
/// and sizes are kept small so the whole class runs in seconds.
/// </summary>
public sealed class YamlReaderPropertyTests : IDisposable
{
    /// <summary>How long one read may take before it counts as hung: far above any real read, even on a loaded machine.</summary>
    private static readonly TimeSpan HangCeiling = TimeSpan.FromSeconds(60);

    /// <summary>What one read may allocate: the input many times over, but nowhere near an expansion gone wild.</summary>
    private const long AllocationCeiling = 256L * 1024 * 1024;

    private const string ValidJob = """
        version: 1
        name: sample
        defaults: { timeout: 5m, retries: 1, env: { A: b } }
        groups: { heavy: { workers: 2 } }
        tasks:
          build: { run: make, provides: [bin] }
          test-{{matrix.shard}}:
            matrix: { shard: [1, 2, 3] }
            needs: [bin]
            run: ./test.sh {{matrix.shard}}
          lint-{{file.stem}}:
            foreach: "src/*.c"
            run: lint {{file.path}}
            group: heavy
        """;

    private const string ValidModule = """
        name: stats
        entry: stats.py
        description: Statistics
        services: { stats: { instance: singleton } }
        restart: transient
        max-restarts: 3
        within: 1m
        config: { port: 8080, hosts: [a, b], nested: { depth: 2 } }
        args: [--verbose]
        """;

    private const string ValidApp = """
        name: web
        description: The web front end
        depends-on: [db]
        modules:
          - path: stats.py
            name: front
            config: { port: 8080 }
            args: [--verbose]
          - module: stats
        """;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ":", ": ", ",", "- ", " ", "  ", "\n", "\n  ", "\t", "'", "\"", "&a ", "*a", "!!str ", "!x ", "#",
        "---\n", "...\n", "|\n", ">-\n", "? ", "%YAML 1.2\n", "\\", "\0", "\u00e9", "\uFFFD", "name", "tasks", "run", "matrix",
        "foreach", "needs", "provides", "entry", "modules", "config", "{{matrix.x}}", "{{file.stem}}", "x", "1", "~", "true",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Random_bytes_from_a_file_only_ever_give_problems() =>
        Holds(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(bytes => (Text: (string?)null, Bytes: (byte[]?)bytes)), 300);

    [Fact]
    public void Token_soup_only_ever_gives_problems() =>
        Holds(Gen.ListOf(Gen.Elements(Tokens)).Select(tokens => Text(string.Concat(tokens))), 500);

    [Fact]
    public void Deep_nesting_of_every_kind_only_ever_gives_problems()
    {
        var nested =
            from depth in Gen.Choose(1, 5_000)
            from kind in Gen.Choose(0, 3)
            from closed in Gen.Elements(true, false)
            select Text(Nest(depth, kind, closed));
        Holds(nested, 200);
    }

    [Fact]
    public void Huge_scalars_only_ever_give_problems()
    {
        var huge =
            from length in Gen.Choose(10_000, 400_000)
            from place in Gen.Choose(0, 3)
            from c in Gen.Elements('x', ' ', '"', '\'', '{', '\n', 'é')
            select Text(place switch
            {
                0 => $"name: {new string(c, length)}\ntasks: {{ a: {{ run: x }} }}\n",
                1 => $"name: n\ntasks:\n  a: {{ run: \"{new string(c, length)}\" }}\n",
                2 => $"{new string(c, length)}: x\n",
                _ => $"name: n\nentry: x.py\nconfig: {{ k: '{new string(c, length)}' }}\n",
            });
        Holds(huge, 40);
    }

    [Fact]
    public void Random_mutations_of_valid_files_only_ever_give_problems()
    {
        var mutated =
            from original in Gen.Elements(ValidJob, ValidModule, ValidApp)
            from edits in Gen.ListOf(Mutation(), 8)
            select Text(edits.Aggregate(original, (text, edit) => edit(text)));
        Holds(mutated, 500);
    }

    [Fact]
    public void Random_mutations_of_valid_files_as_bytes_only_ever_give_problems()
    {
        var mutated =
            from original in Gen.Elements(ValidJob, ValidModule, ValidApp)
            from at in Gen.Choose(0, 1_000)
            from value in Gen.Choose(0, 255)
            select (Text: (string?)null, Bytes: (byte[]?)Flip(Encoding.UTF8.GetBytes(original), at, (byte)value));
        Holds(mutated, 200);
    }

    private static (string? Text, byte[]? Bytes) Text(string text) => (text, null);

    private static byte[] Flip(byte[] bytes, int at, byte value)
    {
        bytes[at % bytes.Length] = value;
        return bytes;
    }

    /// <summary>Nesting <paramref name="depth"/> deep: flow lists, flow mappings, block lists or block mappings.</summary>
    private static string Nest(int depth, int kind, bool closed)
    {
        var text = new StringBuilder("name: n\ntasks:\n  a:\n    run: x\n    env: ");
        switch (kind)
        {
            case 0:
                text.Append('[', depth).Append('x');
                if (closed) text.Append(']', depth);
                break;
            case 1:
                text.Append(string.Concat(Enumerable.Repeat("{a: ", depth))).Append('x');
                if (closed) text.Append('}', depth);
                break;
            case 2:
                text.Append('\n');
                for (var i = 0; i < Math.Min(depth, 1_000); i++) text.Append(' ', 6 + i).Append("- \n");
                break;
            default:
                text.Append('\n');
                for (var i = 0; i < Math.Min(depth, 1_000); i++) text.Append(' ', 6 + i).Append("k:\n");
                break;
        }
        return text.Append('\n').ToString();
    }

    private static Gen<Func<string, string>> Mutation() =>
        from kind in Gen.Choose(0, 4)
        from at in Gen.Choose(0, 10_000)
        from length in Gen.Choose(1, 40)
        from token in Gen.Elements(Tokens)
        select (Func<string, string>)(text =>
        {
            if (text.Length == 0) return token;
            var i = at % text.Length;
            return kind switch
            {
                0 => text.Remove(i, Math.Min(length, text.Length - i)),
                1 => text.Insert(i, token),
                2 => text.Insert(i, text.Substring(i, Math.Min(length, text.Length - i))),
                3 => text[..i] + token + text[Math.Min(text.Length, i + 1)..],
                _ => text.Insert(i, string.Concat(Enumerable.Repeat(token, length * 10))),
            };
        });

    /// <summary>Every reader, given each generated input, reports problems or reads it, within the ceilings.</summary>
    private void Holds(Gen<(string? Text, byte[]? Bytes)> inputs, int cases)
    {
        var property = Prop.ForAll(inputs.ToArbitrary(), (Action<(string? Text, byte[]? Bytes)>)(input => ReadWithEveryReader(input.Text, input.Bytes)));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(cases).WithEndSize(200), property);
    }

    private void ReadWithEveryReader(string? text, byte[]? bytes)
    {
        var folder = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "stats.py"), "");
        var job = Path.Combine(folder, "job.yaml");
        var module = Path.Combine(folder, "module.yaml");
        var app = Path.Combine(folder, "app.yaml");
        if (bytes is not null)
        {
            foreach (var file in new[] { job, module, app }) File.WriteAllBytes(file, bytes);
        }

        var reads = bytes is not null
            ? new Action[] { () => Job(JobFileLoader.Load(job)), () => Module(() => ModuleManifest.Read(module)), () => App(AppManifestReader.Load(app)) }
            : [() => Job(JobFileLoader.Parse(text!, job, folder)), () => Module(() => ModuleManifest.Parse(text!, module)), () => App(AppManifestReader.Parse(text!, app))];
        foreach (var read in reads) Bounded(read);
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Runs one read on a thread of its own, so its allocations are its own and a hang is seen as one.</summary>
    private static void Bounded(Action read)
    {
        long allocated = 0;
        var run = Task.Factory.StartNew(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            read();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!run.Wait(HangCeiling)) throw new TimeoutException($"a read did not finish within {HangCeiling}");
        if (allocated > AllocationCeiling) throw new InvalidOperationException($"a read allocated {allocated:N0} bytes");
    }

    private static void Job(JobLoadResult result)
    {
        if (result.Job is null && !result.HasErrors) throw new InvalidOperationException("no job and no error");
        foreach (var problem in result.Problems) Located(problem);
    }

    private static void Module(Func<ModuleManifest> read)
    {
        try
        {
            read();
        }
        catch (ModuleManifestException ex)
        {
            if (ex.Problems.Count == 0) throw new InvalidOperationException("refused without a problem", ex);
            foreach (var problem in ex.Problems) Located(problem);
        }
    }

    private static void App(AppManifestResult result)
    {
        if (result.Manifest is null && !result.Problems.Any(p => p.Severity == ProblemSeverity.Error)) throw new InvalidOperationException("no app and no error");
        foreach (var problem in result.Problems) Located(problem);
    }

    /// <summary>A problem with a position points into the file: line and column count from 1.</summary>
    private static void Located(ValidationProblem problem)
    {
        if (problem.Location is { } at && (at.Line < 1 || at.Column < 1)) throw new InvalidOperationException($"bad position in: {problem}");
    }
}
