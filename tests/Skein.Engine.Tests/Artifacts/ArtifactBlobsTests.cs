using System.Security.Cryptography;
using Skein.Engine.Tests.Support;
using Skein.Shared.Artifacts;

namespace Skein.Engine.Tests.Artifacts;

/// <summary>The content store: named by SHA-256, filled in chunks, each content once, nothing half-written left.</summary>
public class ArtifactBlobsTests : IDisposable
{
    private readonly string _dir = Runs.TempDir();

    public ArtifactBlobsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Never(long _) => "no budget given";

    [Fact]
    public async Task Content_is_stored_under_its_sha256_and_the_same_content_is_kept_once()
    {
        var blobs = new ArtifactBlobs(Path.Combine(_dir, "blobs"));
        var content = "hello artifacts"u8.ToArray();

        var (sha, size) = await blobs.StoreAsync(new MemoryStream(content), null, Never, TestContext.Current.CancellationToken);
        var again = await blobs.StoreAsync(new MemoryStream(content), null, Never, TestContext.Current.CancellationToken);

        Assert.Equal(Sha(content), sha);
        Assert.Equal(content.Length, size);
        Assert.Equal((sha, size), again);
        Assert.Equal(content, File.ReadAllBytes(blobs.PathOf(sha)));
        Assert.Single(Directory.GetFiles(blobs.Directory));
    }

    [Fact]
    public async Task Content_larger_than_a_chunk_from_a_stream_that_trickles_hashes_the_same_and_dedupe_returns_its_reservation()
    {
        var blobs = new ArtifactBlobs(Path.Combine(_dir, "blobs"));
        var content = new byte[ArtifactHash.ChunkBytes * 3 + 12345];
        new Random(7).NextBytes(content);
        var budget = new ArtifactBudget(limit: content.Length * 2L, used: 0);

        var (sha, size) = await blobs.StoreAsync(new TrickleStream(content), budget, Never, TestContext.Current.CancellationToken);
        await blobs.StoreAsync(new MemoryStream(content), budget, Never, TestContext.Current.CancellationToken);

        Assert.Equal(Sha(content), sha);
        Assert.Equal(content.Length, size);
        Assert.Equal(content.Length, budget.Used); // stored once, counted once
        Assert.Equal(Sha(content), await ArtifactHash.OfFileAsync(blobs.PathOf(sha), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Content_past_the_budget_is_refused_with_the_message_and_leaves_nothing_behind()
    {
        var blobs = new ArtifactBlobs(Path.Combine(_dir, "blobs"));
        var budget = new ArtifactBudget(limit: ArtifactHash.ChunkBytes + 10, used: 0);
        var content = new byte[ArtifactHash.ChunkBytes * 2];

        var refused = await Assert.ThrowsAsync<ArtifactLimitException>(() =>
            blobs.StoreAsync(new MemoryStream(content), budget, read => $"over after {read}", TestContext.Current.CancellationToken));

        Assert.Equal($"over after {ArtifactHash.ChunkBytes * 2}", refused.Message);
        Assert.Equal(0, budget.Used);
        Assert.Empty(Directory.GetFiles(blobs.Directory));
    }

    [Fact]
    public async Task Content_damaged_on_the_way_is_refused_when_its_hash_is_known()
    {
        var blobs = new ArtifactBlobs(Path.Combine(_dir, "blobs"));

        await Assert.ThrowsAsync<IOException>(() => blobs.StoreAsync(new MemoryStream("abc"u8.ToArray()), null, Never,
            TestContext.Current.CancellationToken, expectedSha256: Sha("abd"u8.ToArray())));

        Assert.Empty(Directory.GetFiles(blobs.Directory));
    }

    [Fact]
    public async Task Adopting_content_from_another_store_links_or_copies_it()
    {
        var earlier = new ArtifactBlobs(Path.Combine(_dir, "1"));
        var (sha, _) = await earlier.StoreAsync(new MemoryStream("kept"u8.ToArray()), null, Never, TestContext.Current.CancellationToken);
        var later = new ArtifactBlobs(Path.Combine(_dir, "2"));

        Assert.True(later.Adopt(sha, [Path.Combine(_dir, "missing"), earlier.Directory]));
        Assert.False(later.Adopt(Sha("gone"u8.ToArray()), [earlier.Directory]));
        Assert.Equal("kept", File.ReadAllText(later.PathOf(sha)));
    }

    /// <summary>Hands out at most a few bytes per read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] content) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1000));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }
}
