# Sphinx configuration of the collection's docs site (`make docs`), as `antsibull-docs sphinx-init`
# writes it for docs.ansible.com's look, but offline: no intersphinx, nothing fetched at build time.
# pylint: disable=invalid-name

project = 'alibabacloud.ens'
copyright = 'alibabacloud.ens contributors'  # pylint: disable=redefined-builtin

title = 'alibabacloud.ens collection documentation'
html_short_title = 'alibabacloud.ens'

extensions = ['sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# Offline: references to docs.ansible.com or docs.python.org stay plain text instead of being resolved.
intersphinx_mapping = {}

default_role = 'any'
nitpicky = True

# Offline stand-in for intersphinx: the few references the generated pages make into the Ansible
# documentation become plain links to docs.ansible.com; any other unresolved reference still warns (-W).
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
ANSIBLE_DOCS_LABELS = {
    'common_return_values': 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'action_plugins': 'plugins/action.html',
}


def resolve_ansible_docs_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    reftype, target = node.get('reftype'), node.get('reftarget', '')
    if reftype == 'ref' and target in ANSIBLE_DOCS_LABELS:
        uri = ANSIBLE_DOCS + ANSIBLE_DOCS_LABELS[target]
    elif reftype == 'envvar' and target.startswith('ANSIBLE_') and not target.startswith('ANSIBLE_ENS_'):
        uri = ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
    else:
        return None
    reference = nodes.reference('', '', internal=False, refuri=uri)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect('missing-reference', resolve_ansible_docs_reference)
