using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>Fluent settings of an element, returning the element itself so they chain: <c>new Run(...).On("node-2").Invocations(5)</c>.</summary>
public static class ElementExtensions
{
    /// <summary>Names the element (its task id in the run); names are unique in a pipeline.</summary>
    public static T Named<T>(this T element, string name) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentException.ThrowIfNullOrEmpty(name);
        element.Name = name;
        return element;
    }

    /// <summary>Runs the element on the node of that name (on a cluster; in one process, placement is ignored).</summary>
    public static T On<T>(this T element, string node) where T : Element
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        return Place(element, p => p with { Node = node });
    }

    /// <summary>Runs the element on a node carrying this label with this value (several calls: all of them).</summary>
    public static T OnLabel<T>(this T element, string key, string value) where T : Element
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return Place(element, p => p with { Labels = new Dictionary<string, string>(p.Labels, StringComparer.Ordinal) { [key] = value } });
    }

    /// <summary>Runs the element on a node of that host (a short name matches its fully qualified form).</summary>
    public static T OnHost<T>(this T element, string host) where T : Element
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return Place(element, p => p with { Host = host });
    }

    /// <summary>Runs the element <paramref name="count"/> times, each in a fresh directory; each output becomes the list of its values.</summary>
    public static T Invocations<T>(this T element, int count) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        element.InvocationCount = count;
        return element;
    }

    /// <summary>The element's task times out after this long (all invocations, setup and teardown together).</summary>
    public static T WithTimeout<T>(this T element, TimeSpan timeout) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        element.Timeout = timeout;
        return element;
    }

    /// <summary>Retries the element's task this many times when it fails or errors.</summary>
    public static T WithRetries<T>(this T element, int retries) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        element.Retries = retries;
        return element;
    }

    /// <summary>Holds these claims while the element runs (no other task holding one runs beside it).</summary>
    public static T WithClaims<T>(this T element, params string[] claims) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        element.Claims = [.. claims];
        return element;
    }

    /// <summary>What the element occupies on its node (slots, memory).</summary>
    public static T WithResources<T>(this T element, TaskResources resources) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        element.Resources = resources;
        return element;
    }

    /// <summary>Adds a setup and a teardown around the element's run; hooks set up in the order added and tear down in reverse, teardown always.</summary>
    public static T WithHook<T>(this T element, string name, Func<ElementContext, CancellationToken, ValueTask>? setup,
        Func<ElementContext, CancellationToken, ValueTask>? teardown) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        element.AddHook(new ElementHook(name, setup, teardown));
        return element;
    }

    private static T Place<T>(T element, Func<TaskPlacement, TaskPlacement> change) where T : Element
    {
        ArgumentNullException.ThrowIfNull(element);
        element.Placement = change(element.Placement ?? new TaskPlacement());
        return element;
    }
}
