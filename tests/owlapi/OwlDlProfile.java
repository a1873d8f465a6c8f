// The OWL API's OWL 2 DL profile checker over N-Triples files, one report line per problem.
//
// Run as a single-file program (java OwlDlProfile.java FILE...) with Debian's libowlapi-java on the
// class path; tests/owl_profile.py builds the class path and reads the report. Each file is parsed
// as an ontology of its own, the way the OWL 2 mapping from RDF graphs reads a document: triples
// the mapping cannot consume are reported as UnparsedTriple, then every violation of the OWL 2 DL
// profile (typing constraints, reserved vocabulary, datatype map, global restrictions) as
// <file> TAB <violation class> TAB <term> TAB <axiom>. Imports are never fetched: each one is
// reported as MissingImport, since the profile holds for an import closure this check cannot see.

import java.io.File;
import java.util.Optional;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.model.HasIRI;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlDlProfile {
    public static void main(String[] args) {
        for (String path : args) {
            try {
                check(path);
            } catch (Exception e) {
                line(path, "LoadError", "", String.valueOf(e.getMessage()));
            }
        }
        System.out.flush();
    }

    static void check(String path) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // an owl:imports is resolved to a file that does not exist, and then ignored: never the network
        manager.getIRIMappers().add(iri -> IRI.create(new File(path + ".no-imports").toURI()));
        // an import that cannot be read leaves the axiom closure, and so the check, incomplete: say so
        manager.addMissingImportListener(event ->
                line(path, "MissingImport", event.getImportedOntologyURI().toString(), "owl:imports"));
        OWLOntologyLoaderConfiguration config = manager.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(new File(path), new NTriplesDocumentFormat()), config);
        OWLDocumentFormat format = manager.getOntologyFormat(ontology);
        if (format != null) {
            format.getOntologyLoaderMetaData().ifPresent(meta -> {
                meta.getUnparsedTriples().forEach((RDFTriple triple) ->
                        line(path, "UnparsedTriple", triple.getSubject().toString(), triple.toString()));
            });
        }
        for (OWLProfileViolation violation : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            line(path, violation.getClass().getSimpleName(), term(violation.getExpression()), axiom(violation));
        }
    }

    static String axiom(OWLProfileViolation violation) {
        try {
            return violation.getAxiom().toString();
        } catch (IllegalStateException noAxiom) {  // a violation of the ontology as a whole
            return violation.toString();
        }
    }

    static String term(Object expression) {
        if (expression instanceof Optional<?> optional) {
            return optional.map(OwlDlProfile::term).orElse("");
        }
        if (expression instanceof HasIRI named) {
            return named.getIRI().toString();
        }
        return expression == null ? "" : expression.toString();
    }

    static void line(String path, String kind, String term, String detail) {
        System.out.println(String.join("\t", path, kind, clean(term), clean(detail)));
    }

    static String clean(String text) {
        return text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
