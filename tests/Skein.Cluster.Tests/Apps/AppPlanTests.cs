using Skein.Cluster.Apps;

namespace Skein.Cluster.Tests.Apps;

public sealed class AppPlanTests
{
    internal static AppManifest App(string name, params string[] dependsOn) =>
        new(name, $"/apps/{name}/app.yaml") { DependsOn = dependsOn.Select(d => new AppDependency(d)).ToList(), Modules = [new AppModule(name + "-m", $"/apps/{name}/{name}.py")] };

    [Fact]
    public void Dependencies_start_first_in_the_order_they_are_listed_and_each_once()
    {
        var catalog = AppCatalog.Of(App("web", "db", "cache"), App("db", "disk"), App("cache", "disk"), App("disk"), App("unrelated"));

        Assert.Equal(["disk", "db", "cache", "web"], AppPlan.StartOrder(catalog, "web").Select(a => a.Name));
        Assert.Equal(["disk"], AppPlan.StartOrder(catalog, "disk").Select(a => a.Name));
    }

    [Fact]
    public void A_cycle_is_refused_naming_every_app_around_it()
    {
        var catalog = AppCatalog.Of(App("top", "a"), App("a", "b"), App("b", "c"), App("c", "a"));

        var error = Assert.Throws<AppPlanException>(() => AppPlan.StartOrder(catalog, "top"));

        Assert.Equal(["a", "b", "c", "a"], error.Cycle);
        Assert.Contains("a → b → c → a", error.Message);
        Assert.Contains("nothing was started", error.Message);
    }

    [Fact]
    public void An_unknown_dependency_is_named_with_where_it_is_written_and_the_closest_known_app()
    {
        var web = App("web") with { DependsOn = [new AppDependency("databse", new SourceLocation("/apps/web/app.yaml", 2, 14))] };
        var catalog = AppCatalog.Of(web, App("database"));

        var error = Assert.Throws<AppPlanException>(() => AppPlan.StartOrder(catalog, "web"));

        Assert.Equal("/apps/web/app.yaml:2:14: app 'web' depends on 'databse', which is not a known app (did you mean 'database'?)", error.Message);
    }

    [Fact]
    public void An_unknown_app_is_named_with_a_suggestion()
    {
        var error = Assert.Throws<AppPlanException>(() => AppPlan.StartOrder(AppCatalog.Of(App("report")), "reprot"));
        Assert.Equal("no app named 'reprot' is known (did you mean 'report'?)", error.Message);
    }

    [Fact]
    public void Dependents_are_the_running_apps_that_need_an_app_directly_or_through_others()
    {
        var catalog = AppCatalog.Of(App("a"), App("b", "a"), App("c", "b"), App("d"));

        Assert.Equal([["b", "a"], ["c", "b", "a"]], AppPlan.Dependents(catalog, "a", ["a", "b", "c", "d"]));
        Assert.Equal([["c", "b", "a"]], AppPlan.Dependents(catalog, "a", ["a", "c"]));
        Assert.Empty(AppPlan.Dependents(catalog, "c", ["a", "b", "c"]));
    }

    [Fact]
    public void Stopping_with_dependencies_goes_last_started_first_and_keeps_what_another_running_app_needs()
    {
        var catalog = AppCatalog.Of(App("web", "db", "cache"), App("db", "disk"), App("cache"), App("disk"), App("batch", "db"));

        var (stop, kept) = AppPlan.StopOrder(catalog, "web", ["web", "db", "cache", "disk", "batch"], withDependencies: true);

        Assert.Equal(["web", "cache"], stop);
        Assert.Equal([("db", "batch"), ("disk", "batch")], kept);

        var (alone, _) = AppPlan.StopOrder(catalog, "web", ["web", "db", "cache", "disk"], withDependencies: true);
        Assert.Equal(["web", "cache", "db", "disk"], alone);
    }
}
