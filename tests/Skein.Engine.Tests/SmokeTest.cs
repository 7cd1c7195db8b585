namespace Skein.Engine.Tests;
public class SmokeTest { [Fact] public void Works() => Assert.True(true); }
