using Skein.Cluster.Events;

namespace Skein.Cluster.Tests.Events;

public class SubjectPatternTests
{
    [Theory]
    [InlineData("a.b.c", "a.b.c", true)]
    [InlineData("a.b.c", "a.b", false)]
    [InlineData("a.b.c", "a.b.c.d", false)]
    [InlineData("a.b.c", "a.b.x", false)]
    [InlineData("a.b", "a.bb", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.xyz.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("a.*.c", "a.b.d", false)]
    [InlineData("a.>", "a.b", true)]
    [InlineData("a.>", "a.b.c.d", true)]
    [InlineData("a.>", "a", false)]
    [InlineData("a.>", "b.c", false)]
    [InlineData(">", "a", true)]
    [InlineData(">", "a.b.c", true)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("*.*", "a.b", true)]
    [InlineData("*.*", "a", false)]
    [InlineData("*.>", "a", false)]
    [InlineData("*.>", "a.b", true)]
    [InlineData("node.*", "node.joined", true)]
    [InlineData("node.*", "nodes.joined", false)]
    public void Matches_by_tokens(string pattern, string subject, bool expected)
    {
        Assert.Equal(expected, SubjectPattern.Parse(pattern).Matches(subject));
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("a..b", "token 2 is empty at character 2")]
    [InlineData(".a", "token 1 is empty at character 0")]
    [InlineData("a.", "token 2 is empty at character 2")]
    [InlineData("a. b", "token 2 contains whitespace at character 2")]
    [InlineData("a\tb", "token 1 contains whitespace at character 1")]
    [InlineData("a.>.c", "'>' is token 2 at character 2 but may only be the last token")]
    [InlineData("a.b*", "token 2 mixes the wildcard '*' with other characters at character 3")]
    [InlineData("a.>x", "token 2 mixes the wildcard '>' with other characters at character 2")]
    public void Invalid_patterns_name_the_problem_and_its_position(string pattern, string problem)
    {
        var ex = Assert.Throws<ArgumentException>(() => SubjectPattern.Parse(pattern));
        Assert.Contains($"subject pattern '{pattern}' is invalid: {problem}", ex.Message);
        Assert.Equal("pattern", ex.ParamName);
    }

    [Theory]
    [InlineData("a.*", "token 2 contains the wildcard '*' at character 2; wildcards belong in subscription patterns only")]
    [InlineData(">", "token 1 contains the wildcard '>' at character 0")]
    [InlineData("a..b", "token 2 is empty at character 2")]
    public void Invalid_subjects_name_the_problem_and_its_position(string subject, string problem)
    {
        var ex = Assert.Throws<ArgumentException>(() => Subject.Validate(subject));
        Assert.Contains($"subject '{subject}' is invalid: {problem}", ex.Message);
    }

    [Fact]
    public void Matching_allocates_nothing()
    {
        var patterns = new[] { SubjectPattern.Parse("a.*.c"), SubjectPattern.Parse("a.>"), SubjectPattern.Parse("a.b.c") };
        const string subject = "a.b.c";
        foreach (var pattern in patterns) pattern.Matches(subject);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matched = 0;
        for (var i = 0; i < 1000; i++)
            foreach (var pattern in patterns)
                if (pattern.Matches(subject)) matched++;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(3000, matched);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Literal_patterns_know_they_are_literal()
    {
        Assert.True(SubjectPattern.Parse("a.b").IsLiteral);
        Assert.False(SubjectPattern.Parse("a.*").IsLiteral);
        Assert.False(SubjectPattern.Parse("a.>").IsLiteral);
    }
}
