using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Ledsag.Web.Infrastructure;

/// <summary>
/// The one secret Ledsag keeps outside its database: it encrypts the Data Protection key ring (which signs
/// cookies) and signs the audit chain. A copy of the database — a backup — is then neither an administrator's
/// key nor a log anyone can rewrite unnoticed. From <c>Security:MasterKey</c> (base64, 32 bytes; environment
/// <c>Security__MasterKey</c>), else the file <c>Security:MasterKeyFile</c> (default <c>data/ledsag.key</c>,
/// created on first run, readable by its owner only). Every instance and the <c>ledsag</c> command need the same key.
/// docs/operations.md says where it lives and how to rotate it.
/// </summary>
public sealed class MasterKey
{
    public const string DefaultFile = "data/ledsag.key";

    private readonly byte[] _key;

    private MasterKey(byte[] key, string source, string folder)
    {
        _key = key;
        Source = source;
        Folder = folder;
    }

    /// <summary>Where the key came from (a file's path, or the configuration), for messages.</summary>
    public string Source { get; }

    /// <summary>The folder beside the key, where the audit log's anchor (the chain's head) is written.</summary>
    public string Folder { get; }

    /// <summary>For the <c>ledsag</c> command: the same settings as the server's, from the environment (<c>Security__MasterKey</c>, <c>Security__MasterKeyFile</c>).</summary>
    public static MasterKey FromEnvironment() => Load(Environment.GetEnvironmentVariable("Security__MasterKey"),
        Environment.GetEnvironmentVariable("Security__MasterKeyFile"), Environment.GetEnvironmentVariable("Security__AnchorFolder"));

    public static MasterKey From(IConfiguration config) => Load(config["Security:MasterKey"], config["Security:MasterKeyFile"], config["Security:AnchorFolder"]);

    /// <summary>The key from <paramref name="base64"/>, else from <paramref name="file"/> (created when missing).</summary>
    public static MasterKey Load(string? base64, string? file, string? anchorFolder = null)
    {
        var path = Path.GetFullPath(string.IsNullOrWhiteSpace(file) ? DefaultFile : file);
        var folder = Path.GetFullPath(string.IsNullOrWhiteSpace(anchorFolder) ? Path.GetDirectoryName(path)! : anchorFolder);
        if (!string.IsNullOrWhiteSpace(base64))
        {
            var bytes = Convert.FromBase64String(base64.Trim());
            return bytes.Length >= 32 ? new MasterKey(bytes, "Security:MasterKey", folder)
                : throw new InvalidOperationException("Security:MasterKey must be at least 32 bytes (base64).");
        }
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(fresh));
                stream.Flush(flushToDisk: true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }
        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        return new MasterKey(key, path, folder);
    }

    /// <summary>A key for one purpose, derived from the master key (HKDF-SHA256), so no two uses share a key.</summary>
    public byte[] Derive(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes(purpose));
}

/// <summary>Encrypts each Data Protection key (AES-GCM with a key derived from the master key) before it is stored in the database.</summary>
public sealed class KeyRingEncryptor(MasterKey master) : IXmlEncryptor
{
    public const string Purpose = "ledsag-dataprotection-keyring-v1";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(master.Derive(Purpose), 16))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }
        var element = new XElement("ledsagEncrypted", new XAttribute("version", "1"), Convert.ToBase64String([.. nonce, .. tag, .. cipher]));
        return new EncryptedXmlInfo(element, typeof(KeyRingDecryptor));
    }
}

/// <summary>Decrypts what <see cref="KeyRingEncryptor"/> stored; without the master key (a copy of the database elsewhere) it cannot.</summary>
public sealed class KeyRingDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var master = services.GetService<MasterKey>() ?? throw new InvalidOperationException("The master key is not configured; the key ring cannot be read.");
        var bytes = Convert.FromBase64String(encryptedElement.Value);
        var plain = new byte[bytes.Length - 28];
        using (var aes = new AesGcm(master.Derive(KeyRingEncryptor.Purpose), 16))
        {
            aes.Decrypt(bytes.AsSpan(0, 12), bytes.AsSpan(28), bytes.AsSpan(12, 16), plain);
        }
        return XElement.Parse(Encoding.UTF8.GetString(plain));
    }
}
