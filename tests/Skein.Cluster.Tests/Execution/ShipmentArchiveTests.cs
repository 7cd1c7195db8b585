using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Skein.Cluster.Execution;

namespace Skein.Cluster.Tests.Execution;

/// <summary>
/// The shipment archive: the same folder always hashes the same, a changed one otherwise; what is listed is bounded
/// and stays inside the folder; unpacking checks every path, the order and the whole against the shipment's hash.
/// </summary>
public sealed class ShipmentArchiveTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private string Folder(string name, params (string Path, string Content)[] files)
    {
        var folder = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(folder);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return folder;
    }

    private static async Task<(string Sha, byte[] Archive)> PackAsync(string folder)
    {
        using var archive = new MemoryStream();
        var sha = await ShipmentArchive.WriteAsync(ShipmentArchive.List(folder), archive, Ct);
        return (sha, archive.ToArray());
    }

    [Fact]
    public async Task The_same_files_hash_the_same_whatever_order_they_were_written_in_and_a_change_hashes_otherwise()
    {
        var a = Folder("a", ("Main.dll", "main"), ("sub/dep.dll", "dep"), ("b.json", "{}"));
        var b = Folder("b", ("b.json", "{}"), ("sub/dep.dll", "dep"), ("Main.dll", "main"));
        var c = Folder("c", ("Main.dll", "main"), ("sub/dep.dll", "DEP"), ("b.json", "{}"));

        var (shaA, archiveA) = await PackAsync(a);
        var (shaB, _) = await PackAsync(b);
        var (shaC, _) = await PackAsync(c);

        Assert.Equal(shaA, shaB);
        Assert.NotEqual(shaA, shaC);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archiveA)), shaA);
        Assert.Equal(["Main.dll", "b.json", "sub/dep.dll"], ShipmentArchive.List(a).Select(f => f.Path));
    }

    [Fact]
    public async Task An_archive_unpacks_into_the_same_files()
    {
        var source = Folder("source", ("Main.dll", "main"), ("runtimes/linux/native.so", "native"), ("empty.txt", ""));
        var (sha, archive) = await PackAsync(source);
        var target = Path.Combine(_dir.Path, "target");

        await ShipmentArchive.ExtractAsync(new MemoryStream(archive), target, sha, Ct);

        Assert.Equal("main", File.ReadAllText(Path.Combine(target, "Main.dll")));
        Assert.Equal("native", File.ReadAllText(Path.Combine(target, "runtimes", "linux", "native.so")));
        Assert.Equal("", File.ReadAllText(Path.Combine(target, "empty.txt")));
        Assert.Equal(sha, (await PackAsync(target)).Sha);
    }

    [Fact]
    public async Task An_archive_that_is_not_the_shipment_it_should_be_is_refused()
    {
        var (_, archive) = await PackAsync(Folder("source", ("Main.dll", "main")));
        var other = new string('0', 64);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ShipmentArchive.ExtractAsync(new MemoryStream(archive), Path.Combine(_dir.Path, "t"), other, Ct));

        Assert.Contains($"not as the shipment {other}", refused.Message);
    }

    [Theory]
    [InlineData("../escape.dll", "has a '..' part")]
    [InlineData("/etc/passwd", "is not a plain relative path")]
    [InlineData("a//b", "has a '' part")]
    public async Task A_path_that_leaves_the_folder_is_refused_while_unpacking(string path, string problem)
    {
        var archive = Archive((path, "x"));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ShipmentArchive.ExtractAsync(new MemoryStream(archive), Path.Combine(_dir.Path, "t"), new string('0', 64), Ct));

        Assert.Contains(problem, refused.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape.dll")));
    }

    [Fact]
    public async Task A_file_twice_or_out_of_order_is_refused_while_unpacking()
    {
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() =>
            ShipmentArchive.ExtractAsync(new MemoryStream(Archive(("b", "1"), ("a", "2"))), Path.Combine(_dir.Path, "t"), new string('0', 64), Ct));

        Assert.Equal("'a' is out of order or appears twice", refused.Message);
    }

    [Fact]
    public async Task An_archive_claiming_more_files_than_the_limit_is_refused_before_anything_is_written()
    {
        var archive = Archive();
        BinaryPrimitives.WriteUInt32LittleEndian(archive.AsSpan(archive.Length - 4), ShipmentLimits.MaxFiles + 1);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => ShipmentArchive.ExtractAsync(new MemoryStream(archive), Path.Combine(_dir.Path, "t"), new string('0', 64), Ct));

        Assert.Equal($"it holds {ShipmentLimits.MaxFiles + 1} files, more than {ShipmentLimits.MaxFiles}", refused.Message);
    }

    [Fact]
    public void A_symlink_out_of_the_folder_is_refused_naming_it_and_a_linked_directory_is_not_followed()
    {
        var outside = Folder("outside", ("secret.txt", "secret"));
        var folder = Folder("shipment", ("Main.dll", "main"), ("inner.txt", "inner"));
        File.CreateSymbolicLink(Path.Combine(folder, "inner-link.txt"), Path.Combine(folder, "inner.txt"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "linked-dir"), outside);

        // A link to a file inside ships as that file; a linked directory is left out.
        Assert.Equal(["Main.dll", "inner-link.txt", "inner.txt"], ShipmentArchive.List(folder).Select(f => f.Path));

        File.CreateSymbolicLink(Path.Combine(folder, "leak.txt"), Path.Combine(outside, "secret.txt"));
        var refused = Assert.Throws<ShipmentException>(() => ShipmentArchive.List(folder));
        Assert.Contains(Path.Combine(folder, "leak.txt"), refused.Message);
        Assert.Contains("outside the folder", refused.Message);
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        var missing = Path.Combine(_dir.Path, "nowhere");

        var refused = Assert.Throws<ShipmentException>(() => ShipmentArchive.List(missing));

        Assert.Equal($"the shipment folder {missing} does not exist", refused.Message);
    }

    /// <summary>An archive as a hostile uploader could write it: any paths, in any order.</summary>
    private static byte[] Archive(params (string Path, string Content)[] files)
    {
        using var archive = new MemoryStream();
        archive.Write("skein-shipment/1\n"u8);
        var four = new byte[4];
        var two = new byte[2];
        var eight = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(four, (uint)files.Length);
        archive.Write(four);
        foreach (var (path, content) in files)
        {
            var name = Encoding.UTF8.GetBytes(path);
            var bytes = Encoding.UTF8.GetBytes(content);
            BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)name.Length);
            archive.Write(two);
            archive.Write(name);
            archive.WriteByte(0);
            BinaryPrimitives.WriteInt64LittleEndian(eight, bytes.Length);
            archive.Write(eight);
            archive.Write(bytes);
        }
        return archive.ToArray();
    }
}
