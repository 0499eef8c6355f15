using System;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace ZkTypedState.Generator.Helpers;

/// <summary>
/// Writes indented C# text (4 spaces per level, '\n' line ends on every OS so output is deterministic). Multi-line
/// strings are re-indented line by line. Modelled on the SourceWriter shared by dotnet/runtime's generators.
/// </summary>
internal sealed class SourceWriter
{
    private const int SpacesPerIndent = 4;
    private readonly StringBuilder _builder = new();
    private int _indentation;

    /// <summary>The current indentation level.</summary>
    public int Indentation
    {
        get => _indentation;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            _indentation = value;
        }
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void OpenBlock()
    {
        WriteLine("{");
        Indentation++;
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/>.</summary>
    public void CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
    }

    /// <summary>Writes an empty line (no trailing spaces).</summary>
    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes one or more lines at the current indentation.</summary>
    public void WriteLine(string text)
    {
        if (text.IndexOf('\n') < 0)
        {
            AppendLine(text);
            return;
        }

        foreach (string line in text.Replace("\r\n", "\n").Split('\n'))
        {
            AppendLine(line);
        }
    }

    /// <summary>The text written so far; the indentation must be back at zero.</summary>
    public SourceText ToSourceText()
    {
        Debug.Assert(_indentation == 0, "Unbalanced indentation in generated source.");
        return SourceText.From(_builder.ToString(), Encoding.UTF8);
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => _builder.ToString();

    private void AppendLine(string line)
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', _indentation * SpacesPerIndent);
            _builder.Append(line);
        }

        _builder.Append('\n');
    }
}
