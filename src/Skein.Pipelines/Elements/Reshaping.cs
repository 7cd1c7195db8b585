namespace Skein.Pipelines.Elements;

/// <summary>
/// Takes a part of one value: a field of a record, an item of a list. Port <c>value</c> in, port <c>value</c> out.
/// </summary>
/// <example><code>new Extract&lt;Summary, double&gt;(s =&gt; s.Mean)</code></example>
public sealed class Extract<TIn, TOut>(Func<TIn, TOut> selector) : Element
    where TIn : notnull
    where TOut : notnull
{
    private readonly Func<TIn, TOut> _selector = selector ?? throw new ArgumentNullException(nameof(selector));

    /// <summary>Port <c>value</c> (input): the value to take a part of.</summary>
    [Input("value")] public TIn Value { get; set; } = default!;

    /// <summary>Port <c>value</c> (output): the part taken.</summary>
    [Output("value")] public TOut Result { get; private set; } = default!;

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Result = _selector(Value);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Applies a function to every item of a list. Port <c>items</c> in, port <c>items</c> out, in the same order.</summary>
/// <example><code>new Map&lt;double, double&gt;(ms =&gt; ms / 1000)</code></example>
public sealed class Map<TIn, TOut>(Func<TIn, TOut> function) : Element
    where TIn : notnull
    where TOut : notnull
{
    private readonly Func<TIn, TOut> _function = function ?? throw new ArgumentNullException(nameof(function));

    /// <summary>Port <c>items</c> (input): the list to map.</summary>
    [Input("items")] public IReadOnlyList<TIn> Items { get; set; } = [];

    /// <summary>Port <c>items</c> (output): the function's result for each item.</summary>
    [Output("items")] public IReadOnlyList<TOut> Results { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var results = new TOut[Items.Count];
        for (var i = 0; i < results.Length; i++) results[i] = _function(Items[i]);
        Results = results;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Concatenates lists: ports <c>first</c> and <c>second</c>, and optionally <c>third</c> to <c>eighth</c>, in that
/// order, into port <c>items</c>. To gather single values into a list, use <see cref="Collect{T}"/>.
/// </summary>
public sealed class Merge<T> : Element
    where T : notnull
{
    [Input] public IReadOnlyList<T> First { get; set; } = [];

    [Input] public IReadOnlyList<T> Second { get; set; } = [];

    [Input(Optional = true)] public IReadOnlyList<T>? Third { get; set; }

    [Input(Optional = true)] public IReadOnlyList<T>? Fourth { get; set; }

    [Input(Optional = true)] public IReadOnlyList<T>? Fifth { get; set; }

    [Input(Optional = true)] public IReadOnlyList<T>? Sixth { get; set; }

    [Input(Optional = true)] public IReadOnlyList<T>? Seventh { get; set; }

    [Input(Optional = true)] public IReadOnlyList<T>? Eighth { get; set; }

    /// <summary>Port <c>items</c>: the items of every wired list, list after list.</summary>
    [Output] public IReadOnlyList<T> Items { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<T>?[] lists = [First, Second, Third, Fourth, Fifth, Sixth, Seventh, Eighth];
        Items = [.. lists.Where(l => l is not null).SelectMany(l => l!)];
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Gathers single values into a list: ports <c>first</c> and <c>second</c>, and optionally <c>third</c> to
/// <c>eighth</c>, in that order, into port <c>items</c> (the summaries of several workloads for one chart, say).
/// </summary>
public sealed class Collect<T> : Element
    where T : notnull
{
    private readonly T[] _values = new T[8];
    private readonly bool[] _wired = new bool[8];

    [Input] public T First { get => _values[0]; set => Set(0, value); }

    [Input] public T Second { get => _values[1]; set => Set(1, value); }

    [Input(Optional = true)] public T Third { get => _values[2]; set => Set(2, value); }

    [Input(Optional = true)] public T Fourth { get => _values[3]; set => Set(3, value); }

    [Input(Optional = true)] public T Fifth { get => _values[4]; set => Set(4, value); }

    [Input(Optional = true)] public T Sixth { get => _values[5]; set => Set(5, value); }

    [Input(Optional = true)] public T Seventh { get => _values[6]; set => Set(6, value); }

    [Input(Optional = true)] public T Eighth { get => _values[7]; set => Set(7, value); }

    /// <summary>Port <c>items</c>: the wired values, in port order.</summary>
    [Output] public IReadOnlyList<T> Items { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        // An optional port counts when it was wired, which is when the runner set it (a wired null counts too).
        var items = new List<T>(8);
        for (var i = 0; i < _values.Length; i++)
        {
            if (i < 2 || _wired[i]) items.Add(_values[i]);
        }
        Items = items;
        return ValueTask.CompletedTask;
    }

    private void Set(int port, T value)
    {
        _values[port] = value;
        _wired[port] = true;
    }
}

/// <summary>
/// Pairs two lists of the same length item by item through a function: ports <c>first</c> and <c>second</c> in, port
/// <c>items</c> out. Lists of different lengths fail the element, naming both lengths.
/// </summary>
/// <example><code>new Zip&lt;string, double, string&gt;((name, seconds) =&gt; $"{name}: {seconds:0.00} s")</code></example>
public sealed class Zip<TFirst, TSecond, TOut>(Func<TFirst, TSecond, TOut> combine) : Element
    where TFirst : notnull
    where TSecond : notnull
    where TOut : notnull
{
    private readonly Func<TFirst, TSecond, TOut> _combine = combine ?? throw new ArgumentNullException(nameof(combine));

    [Input] public IReadOnlyList<TFirst> First { get; set; } = [];

    [Input] public IReadOnlyList<TSecond> Second { get; set; } = [];

    /// <summary>Port <c>items</c>: the function's result for each pair.</summary>
    [Output] public IReadOnlyList<TOut> Items { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (First.Count != Second.Count)
            throw new ElementFailedException(context.Element, $"first has {First.Count} items and second has {Second.Count}: zip needs lists of the same length");
        var items = new TOut[First.Count];
        for (var i = 0; i < items.Length; i++) items[i] = _combine(First[i], Second[i]);
        Items = items;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A run of consecutive items of a list: from <see cref="Start"/> (negative: counted from the end), at most
/// <see cref="Count"/> of them (null: to the end). Port <c>items</c> in, port <c>items</c> out. A start beyond the list
/// fails the element.
/// </summary>
/// <example><code>new Slice&lt;double&gt;(2)</code> drops the first two items; <code>new Slice&lt;double&gt;(-3)</code> keeps the last three.</example>
public sealed class Slice<T> : Element
    where T : notnull
{
    public Slice(int start, int? count = null)
    {
        if (count is < 0) throw new ArgumentOutOfRangeException(nameof(count), "a slice cannot have a negative count");
        Start = start;
        Count = count;
    }

    public int Start { get; }

    public int? Count { get; }

    /// <summary>Port <c>items</c> (input): the list to slice.</summary>
    [Input("items")] public IReadOnlyList<T> Items { get; set; } = [];

    /// <summary>Port <c>items</c> (output): the slice.</summary>
    [Output("items")] public IReadOnlyList<T> Result { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = Start < 0 ? Items.Count + Start : Start;
        if (start < 0 || start > Items.Count)
            throw new ElementFailedException(context.Element, $"the slice starts at {Start}, outside a list of {Items.Count} items");
        var count = Math.Min(Count ?? int.MaxValue, Items.Count - start);
        Result = [.. Items.Skip(start).Take(count)];
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Sorts a list, stably: by the items' own order, or by <see cref="Comparison"/>; <see cref="Descending"/> reverses it.
/// Port <c>items</c> in, port <c>items</c> out.
/// </summary>
/// <example><code>new Sort&lt;Summary&gt;((a, b) =&gt; a.Mean.CompareTo(b.Mean)) { Descending = true }</code></example>
public sealed class Sort<T>(Comparison<T>? comparison = null) : Element
    where T : notnull
{
    public Comparison<T>? Comparison { get; } = comparison;

    /// <summary>Largest first.</summary>
    public bool Descending { get; init; }

    /// <summary>Port <c>items</c> (input): the list to sort.</summary>
    [Input("items")] public IReadOnlyList<T> Items { get; set; } = [];

    /// <summary>Port <c>items</c> (output): the same items, sorted.</summary>
    [Output("items")] public IReadOnlyList<T> Result { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var comparer = Comparison is null ? Comparer<T>.Default : Comparer<T>.Create(Comparison);
        var sorted = Descending ? Items.OrderByDescending(x => x, comparer) : Items.OrderBy(x => x, comparer);
        Result = [.. sorted];
        return ValueTask.CompletedTask;
    }
}
