using System.Reflection;
using System.Reflection.Emit;
using Skein.Pipelines.Tests.Running;

namespace Skein.Pipelines.Tests.Discovery;

public sealed class DiscoveryTests
{
    [Fact]
    public void Pipelines_are_found_by_their_static_methods_and_properties_and_build_anew_each_time()
    {
        var found = PipelineDiscovery.Find(typeof(TestPipelines).Assembly);

        Assert.Equal(["Sums", "Placed"], found.Select(d => d.Name));
        Assert.Equal(typeof(TestPipelines).FullName, found[0].DeclaringType);
        Assert.Equal("sums", found[0].Build().Name);
        Assert.Equal("placed", found[1].Build().Name);
        Assert.NotSame(found[0].Build().Elements[0], found[0].Build().Elements[0]);
        Assert.Equal("Sums", PipelineDiscovery.Find(typeof(TestPipelines).Assembly, typeof(TestPipelines).FullName!, "Sums").Member);
    }

    [Fact]
    public void Wrong_signatures_are_each_named_with_what_is_wrong()
    {
        var assembly = Emit(
            ("WithParameter", MethodAttributes.Public | MethodAttributes.Static, typeof(Pipeline), [typeof(int)]),
            ("OnAnInstance", MethodAttributes.Public, typeof(Pipeline), []),
            ("NotAPipeline", MethodAttributes.Public | MethodAttributes.Static, typeof(string), []),
            ("Hidden", MethodAttributes.Private | MethodAttributes.Static, typeof(Pipeline), []));

        var refused = Assert.Throws<PipelineDiscoveryException>(() => PipelineDiscovery.Find(assembly));

        Assert.Equal(
        [
            "Emitted.Study.WithParameter: the method takes 1 parameter(s)",
            "Emitted.Study.OnAnInstance: the method is not static",
            "Emitted.Study.NotAPipeline: the method returns string, not Pipeline",
            "Emitted.Study.Hidden: the method is not public",
        ], refused.Problems.Select(p => p[..p.IndexOf(';', StringComparison.Ordinal)]));
        Assert.Contains("[Pipeline] marks a public static method without parameters", refused.Problems[0]);
    }

    [Fact]
    public void Looking_up_a_member_that_is_not_there_says_so()
    {
        var assembly = typeof(TestPipelines).Assembly;

        Assert.Contains("has no [Pipeline] member Nothing", Assert.Throws<PipelineDiscoveryException>(() => PipelineDiscovery.Find(assembly, typeof(TestPipelines).FullName!, "Nothing")).Message);
        Assert.Contains("has no type No.Such", Assert.Throws<PipelineDiscoveryException>(() => PipelineDiscovery.Find(assembly, "No.Such", "Sums")).Message);
    }

    private static Assembly Emit(params (string Name, MethodAttributes Attributes, Type Returns, Type[] Parameters)[] methods)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName($"Emitted{Guid.NewGuid():N}"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("Emitted").DefineType("Emitted.Study", TypeAttributes.Public | TypeAttributes.Class);
        var pipelineAttribute = new CustomAttributeBuilder(typeof(PipelineAttribute).GetConstructor(Type.EmptyTypes)!, []);
        foreach (var (name, attributes, returns, parameters) in methods)
        {
            var method = type.DefineMethod(name, attributes, returns, parameters);
            method.SetCustomAttribute(pipelineAttribute);
            var il = method.GetILGenerator();
            il.Emit(OpCodes.Ldnull);
            il.Emit(OpCodes.Ret);
        }
        type.CreateType();
        return assembly;
    }
}
